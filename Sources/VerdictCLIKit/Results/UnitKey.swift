import VerdictJSON

/// A unit id read for matching against a report's cases. Ids take three shapes:
/// - a path, to a file or a directory (`tests/login.spec.ts`, `tests/api`, `./pkg/store`,
///   `./pkg/...`, or a Go import path `example.com/app/pkg/store`);
/// - a location, `file:line` (Playwright runs the tests declared at or below that line);
/// - a pytest node id, `file::Class::test` or `file::test[param]`.
struct UnitKey: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case path
        case location(line: Int)
        case node(names: [String])
    }

    let id: String
    /// The path's components (the file part of a location or node id).
    let components: [String]
    let kind: Kind

    init(_ id: String) {
        self.id = id
        if let separator = id.rangeOfText("::") {
            components = Self.components(of: id[..<separator.lowerBound])
            kind = .node(names: id[separator.upperBound...].components(separatedBy: "::"))
        } else if let colon = id.lastIndex(of: ":"), let line = Int(id[id.index(after: colon)...]), line > 0,
            colon != id.startIndex
        {
            components = Self.components(of: id[..<colon])
            kind = .location(line: line)
        } else {
            var path = Substring(id)
            if path.hasSuffix("/...") { path = path.dropLast(4) }
            components = Self.components(of: path)
            kind = .path
        }
    }

    /// `/`-separated components without empty and `.` segments; `\` counts as `/` (reports
    /// written on Windows).
    static func components(of path: Substring) -> [String] {
        path.split { $0 == "/" || $0 == "\\" }.filter { $0 != "." }.map(String.init)
    }

    /// The components with the last one's extension dropped (`tests/test_lib.py` →
    /// `tests/test_lib`), to compare with a dotted module name.
    var moduleComponents: [String] {
        guard var last = components.last else { return [] }
        if let dot = last.lastIndex(of: "."), dot != last.startIndex { last = String(last[..<dot]) }
        return components.dropLast() + [last]
    }
}

extension StringProtocol {
    /// Splits on a separator string with VerdictJSON's byte search: the standard library's
    /// string search lives in `_StringProcessing`, which would add its regex engine (0.9 MB) to
    /// the binary.
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = String(self)
        while let range = rest.rangeOfText(separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = String(rest[range.upperBound...])
        }
        parts.append(rest)
        return parts
    }
}
