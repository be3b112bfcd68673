#if canImport(Glibc)
    import Glibc
#endif

/// The process environment as a value, read once at start, so that configuration is resolved
/// from something a test can build by hand.
public struct Environment: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// A variable's value; set but empty counts as unset (CI systems export empty variables for
    /// what does not apply, such as `GITHUB_HEAD_REF` outside pull requests).
    public subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public static func current() -> Environment {
        var values: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return Environment(values)
    }

    /// `NAME=value` strings for a child process: these variables with `overrides` on top, in a
    /// stable order.
    func entries(overriding overrides: [(String, String)]) -> [String] {
        var merged = values
        for (name, value) in overrides { merged[name] = value }
        return merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }
    }
}
