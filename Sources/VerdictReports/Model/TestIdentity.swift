/// The stable identity of a test across runs, from which the store derives its key (it hashes
/// the string). Two results are the same test when file, suite path, title and project agree.
///
/// Each part is length-prefixed, so no title can forge a separator and make two different tests
/// collide (`a > b` / `c` versus `a` / `b > c`). Only formatting noise is normalized: Windows path
/// separators, a leading `./`, surrounding whitespace.
public enum TestIdentity {
    public static let version = "v1"

    public static func key(file: String?, suitePath: [String], title: String, project: String?) -> String {
        var out: [UInt8] = []
        append(file: file, suitePath: suitePath, title: title, project: project, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the key's UTF-8 to `out`: ingest hashes it straight from a reused buffer, as
    /// it does for every case of a report.
    public static func append(file: String?, suitePath: [String], title: String, project: String?, to out: inout [UInt8]) {
        appendScope(file: file, suitePath: suitePath, to: &out)
        appendTest(title: title, project: project, to: &out)
    }

    /// The key's first part, which the cases of one suite share: a caller writing many cases
    /// keeps it and appends only `appendTest` for each.
    public static func appendScope(file: String?, suitePath: [String], to out: inout [UInt8]) {
        out.append(contentsOf: version.utf8)
        append("f", normalizedFile(file), to: &out)
        out.append(contentsOf: "|s".utf8)
        appendDecimal(suitePath.count, to: &out)
        for suite in suitePath { append("", trimmed(suite), to: &out) }
    }

    /// The key's last part, after `appendScope`.
    public static func appendTest(title: String, project: String?, to out: inout [UInt8]) {
        append("t", trimmed(title), to: &out)
        append("p", trimmed(project ?? ""), to: &out)
    }

    static func normalizedFile(_ file: String?) -> String {
        guard var path = file.map(trimmed) else { return "" }
        if path.utf8.contains(UInt8(ascii: "\\")) { path = String(path.map { $0 == "\\" ? "/" : $0 }) }
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }

    private static func append(_ tag: String, _ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "|"))
        out.append(contentsOf: tag.utf8)
        appendDecimal(value.utf8.count, to: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: value.utf8)
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Surrounding whitespace removed, by `Character` as ever (ids depend on it). A value that
    /// starts and ends with a visible ASCII character, which is nearly every one, has none:
    /// no grapheme ending in such a byte starts with whitespace, so it is returned untouched.
    private static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        if let first = utf8.first, let last = utf8.last, isVisibleASCII(first), isVisibleASCII(last) { return text }
        if utf8.isEmpty { return text }
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}
