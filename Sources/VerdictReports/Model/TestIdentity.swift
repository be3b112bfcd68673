/// The stable identity of a test across runs, from which the store derives its key (it hashes
/// the string). Two results are the same test when file, suite path, title and project agree.
///
/// Each part is length-prefixed, so no title can forge a separator and make two different tests
/// collide (`a > b` / `c` versus `a` / `b > c`). Only formatting noise is normalized: Windows path
/// separators, a leading `./`, surrounding whitespace.
public enum TestIdentity {
    public static let version = "v1"

    public static func key(file: String?, suitePath: [String], title: String, project: String?) -> String {
        var out = version
        append("f", normalizedFile(file), to: &out)
        out += "|s\(suitePath.count)"
        for suite in suitePath { append("", trimmed(suite), to: &out) }
        append("t", trimmed(title), to: &out)
        append("p", trimmed(project ?? ""), to: &out)
        return out
    }

    static func normalizedFile(_ file: String?) -> String {
        guard var path = file.map(trimmed) else { return "" }
        path = String(path.map { $0 == "\\" ? "/" : $0 })
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }

    private static func append(_ tag: String, _ value: String, to out: inout String) {
        out += "|\(tag)\(value.utf8.count):\(value)"
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
