/// The `SomeError:` / `java.lang.IllegalStateException:` / `PHPUnit\Framework\…Exception:` that
/// starts a message or a stack, so a report without a `type` still gets one and the template
/// does not repeat it.
enum ErrorTypeHeader {
    /// The type's range and where the text after `: ` starts, or nil when the line does not start
    /// with something type-shaped. `given` (the report's own type) is accepted whatever its shape.
    static func parse(_ b: [UInt8], _ line: Range<Int>, given: [UInt8]? = nil) -> (type: Range<Int>, rest: Int)? {
        let t = ByteText.trimmed(b, line)
        var i = t.lowerBound
        while i < t.upperBound, ByteText.isWord(b[i]) || b[i] == 0x2E || b[i] == 0x24 || b[i] == 0x5C { i += 1 }
        guard i - t.lowerBound >= 2, i < t.upperBound ? b[i] == 0x3A : false else {
            // A bare type on its own line (`java.lang.NullPointerException`).
            return i == t.upperBound && i > t.lowerBound && isTypeShaped(b, t.lowerBound..<i, strict: true)
                ? (t.lowerBound..<i, i) : nil
        }
        guard i + 1 == t.upperBound || ByteText.isSpace(b[i + 1]) else { return nil }
        let name = t.lowerBound..<i
        let matchesGiven = given.map { !$0.isEmpty && b[name].elementsEqual($0) } ?? false
        guard matchesGiven || isTypeShaped(b, name, strict: false) else { return nil }
        var rest = i + 1
        while rest < t.upperBound, ByteText.isSpace(b[rest]) { rest += 1 }
        return (name, rest)
    }

    /// Ends in Error/Exception/Failure/Fault/Panic, or is a qualified class name
    /// (`org.opentest4j.AssertionFailedError`, `System.InvalidOperationException`).
    static func isTypeShaped(_ b: [UInt8], _ name: Range<Int>, strict: Bool) -> Bool {
        let lastSegmentStart = (name.lastIndex { b[$0] == 0x2E || b[$0] == 0x5C }.map { $0 + 1 }) ?? name.lowerBound
        guard lastSegmentStart < name.upperBound, b[lastSegmentStart] >= 0x41, b[lastSegmentStart] <= 0x5A else { return false }
        for suffix in suffixes {
            if name.count >= suffix.count, b[(name.upperBound - suffix.count)..<name.upperBound].elementsEqual(suffix) { return true }
        }
        if strict { return false }
        // Qualified: lowercase package segments before an uppercase class.
        guard lastSegmentStart > name.lowerBound else { return false }
        return ByteText.isLetter(b[name.lowerBound]) && b[name.lowerBound] >= 0x61
    }

    private static let suffixes: [[UInt8]] = ["Error", "Exception", "Failure", "Fault", "Panic"].map { Array($0.utf8) }
}
