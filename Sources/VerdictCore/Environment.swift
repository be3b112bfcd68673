#if canImport(Glibc)
    import Glibc
#endif

/// Settings a function reads from its environment, which the template sets.
public enum Environment {
    public static func string(_ name: String) -> String? {
        guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }

    /// The variable as a whole number in `range`, else `fallback` (a bad value in the template
    /// must not take the function down; the template's own constraints keep it sane).
    public static func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = string(name), let value = Int(text), range.contains(value) else { return fallback }
        return value
    }
}
