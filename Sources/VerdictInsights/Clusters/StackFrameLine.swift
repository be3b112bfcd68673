/// One line of a stack trace (or of test output) read as a frame: where it points and in which
/// function, in any of the formats reports carry.
struct StackFrameLine {
    enum Kind {
        /// A line of a stack trace: the end of the message above it.
        case trace
        /// A message that starts with its location (`fails_test.go:50: failed sub a`, `x.cpp:7:
        /// error: …`): a frame, and still the text of the failure.
        case location
    }

    var kind: Kind
    /// The file (or URL) as written, without `:line:col`; empty for JVM/.NET frames.
    var location: Range<Int>
    /// The function or method; for JVM/.NET frames the qualified method, which stands for the file.
    var function: Range<Int>
    var isQualifiedName: Bool

    /// Reads `line` of `b`, or nil when it is not a frame. Recognised:
    /// - JavaScript/TypeScript (V8): `at fn (path:line:col)`, `at path:line:col`, `at async fn (…)`
    /// - Java/Kotlin/Scala: `at pkg.Class.method(File.java:12)`, `at java.base/…`
    /// - .NET: `at Ns.Class.Method(args) in C:\src\File.cs:line 42`
    /// - Python: `File "path", line 12, in fn`; pytest's `path.py:12: in fn` and `path.py:12: Error`
    /// - Ruby: `path.rb:12:in 'fn'` (with or without `from `)
    /// - Go: `\t/path/x.go:12 +0x1d`, and `x_test.go:12: message` from `go test`
    /// - anything else of the form `path.ext:line[:col]`, alone or before a message (C/C++,
    ///   Swift/XCTest, PHPUnit, CTRF's `file:line`).
    static func parse(_ b: [UInt8], _ line: Range<Int>) -> StackFrameLine? {
        let t = ByteText.trimmed(b, line)
        guard t.count >= 3 else { return nil }
        if ByteText.hasPrefix(b, t, "at ") { return parseAt(b, (t.lowerBound + 3)..<t.upperBound) }
        if ByteText.hasPrefix(b, t, "File \"") { return parsePython(b, t) }
        var start = t.lowerBound
        if ByteText.hasPrefix(b, t, "from ") { start += 5 }
        return parseLocated(b, start..<t.upperBound)
    }

    private static func parseAt(_ b: [UInt8], _ r: Range<Int>) -> StackFrameLine? {
        let r = ByteText.trimmed(b, r)
        guard !r.isEmpty else { return nil }
        // JVM `pkg.Class.method(File.java:12)`, .NET `Ns.Class.Method(args) in path:line 42`: a
        // qualified name right before `(`, the line ending with `)` or a .NET source position.
        if let paren = r.firstIndex(of: 0x28, in: b), paren > r.lowerBound, ByteText.isWord(b[paren - 1]) || b[paren - 1] == 0x3E,
            !b[r.lowerBound..<paren].contains(0x20), b[r.lowerBound..<paren].contains(where: { $0 == 0x2E || $0 == 0x24 }),
            b[r.upperBound - 1] == 0x29 || ByteText.containsIgnoringCase(b, r, ":line ")
        {
            var nameStart = r.lowerBound
            if let slash = b[r.lowerBound..<paren].lastIndex(of: 0x2F) { nameStart = slash + 1 }  // java.base/…
            guard paren > nameStart else { return nil }
            return StackFrameLine(kind: .trace, location: r.lowerBound..<r.lowerBound, function: nameStart..<paren, isQualifiedName: true)
        }
        // V8: `fn (location)` or `location`, the location a path or URL with `:line[:col]`, or one
        // of V8's placeholders (`<anonymous>`, `native`, `index 0`).
        var function = r.lowerBound..<r.lowerBound
        var location = r
        if b[r.upperBound - 1] == 0x29, let open = lastOpenParen(b, r), open > r.lowerBound, b[open - 1] == 0x20 {
            function = r.lowerBound..<(open - 1)
            location = (open + 1)..<(r.upperBound - 1)
        } else if r.contains(where: { b[$0] == 0x20 }) {
            return nil
        }
        let stripped = stripLineColumn(b, location)
        let placeholder =
            b[location.lowerBound] == 0x3C || ByteText.hasPrefix(b, location, "native") || ByteText.hasPrefix(b, location, "index ")
        guard !stripped.isEmpty, stripped != location || placeholder else { return nil }
        return StackFrameLine(kind: .trace, location: stripped, function: cleanJSFunction(b, function), isQualifiedName: false)
    }

    /// `File "path", line 12, in fn`
    private static func parsePython(_ b: [UInt8], _ t: Range<Int>) -> StackFrameLine? {
        let pathStart = t.lowerBound + 6
        guard let close = b[pathStart..<t.upperBound].firstIndex(of: 0x22) else { return nil }
        var function = close..<close
        if let inAt = rangeOf(b, pathStart..<t.upperBound, ", in ") { function = (inAt + 5)..<t.upperBound }
        return StackFrameLine(kind: .trace, location: pathStart..<close, function: function, isQualifiedName: false)
    }

    /// `path.ext:line[:col][ rest]`, `path.rb:12:in 'fn'`, `path.py:12: in fn`.
    private static func parseLocated(_ b: [UInt8], _ t: Range<Int>) -> StackFrameLine? {
        // The path runs to the first `:<digit>` after a segment with an extension.
        var i = t.lowerBound
        if t.count > 2, ByteText.isLetter(b[i]), b[i + 1] == 0x3A, b[i + 2] == 0x5C || b[i + 2] == 0x2F { i += 2 }  // C:\
        var colon = -1
        while i < t.upperBound {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x28 || c == 0x22 || c == 0x27 { break }
            if c == 0x3A, i + 1 < t.upperBound, ByteText.isDigit(b[i + 1]) {
                colon = i
                break
            }
            i += 1
        }
        guard colon > t.lowerBound else { return nil }
        let location = t.lowerBound..<colon
        let segmentStart = (b[location].lastIndex { $0 == 0x2F || $0 == 0x5C }.map { $0 + 1 }) ?? location.lowerBound
        guard MessageMasker.hasExtension(b, segmentStart..<colon) else { return nil }
        var j = colon + 1
        while j < t.upperBound, ByteText.isDigit(b[j]) { j += 1 }
        if j + 1 < t.upperBound, b[j] == 0x3A, ByteText.isDigit(b[j + 1]) {
            j += 1
            while j < t.upperBound, ByteText.isDigit(b[j]) { j += 1 }
        }
        if j == t.upperBound || (j + 1 == t.upperBound && b[j] == 0x3A) {
            return StackFrameLine(kind: .trace, location: location, function: j..<j, isQualifiedName: false)
        }
        let rest = j..<t.upperBound
        // Ruby: `:in 'fn'` / ":in `fn'"
        if ByteText.hasPrefix(b, rest, ":in ") || ByteText.hasPrefix(b, rest, ":in `") {
            var f = (j + 4)..<t.upperBound
            f = ByteText.trimmed(b, f)
            while !f.isEmpty, b[f.lowerBound] == 0x60 || b[f.lowerBound] == 0x27 { f = (f.lowerBound + 1)..<f.upperBound }
            while !f.isEmpty, b[f.upperBound - 1] == 0x27 { f = f.lowerBound..<(f.upperBound - 1) }
            return StackFrameLine(kind: .trace, location: location, function: f, isQualifiedName: false)
        }
        // Go's `path.go:12 +0x1d`
        if ByteText.hasPrefix(b, rest, " +0x") {
            return StackFrameLine(kind: .trace, location: location, function: j..<j, isQualifiedName: false)
        }
        // pytest: `path.py:12: in fn` / `path.py:12: AssertionError`
        if colon >= 3, b[(colon - 3)..<colon].elementsEqual(Array(".py".utf8)), b[j] == 0x3A {
            var f = ByteText.trimmed(b, (j + 1)..<t.upperBound)
            if ByteText.hasPrefix(b, f, "in ") { f = (f.lowerBound + 3)..<f.upperBound } else { f = f.lowerBound..<f.lowerBound }
            return StackFrameLine(kind: .trace, location: location, function: f, isQualifiedName: false)
        }
        return StackFrameLine(kind: .location, location: location, function: j..<j, isQualifiedName: false)
    }

    /// The `(` matching the line's final `)`.
    private static func lastOpenParen(_ b: [UInt8], _ r: Range<Int>) -> Int? {
        var depth = 0
        var i = r.upperBound - 1
        while i >= r.lowerBound {
            if b[i] == 0x29 {
                depth += 1
            } else if b[i] == 0x28 {
                depth -= 1
                if depth == 0 { return i }
            }
            i -= 1
        }
        return nil
    }

    /// `path:12:5` → `path`; `path:12` → `path`.
    static func stripLineColumn(_ b: [UInt8], _ r: Range<Int>) -> Range<Int> {
        var end = r.upperBound
        for _ in 0..<2 {
            var j = end
            while j > r.lowerBound, ByteText.isDigit(b[j - 1]) { j -= 1 }
            guard j < end, j > r.lowerBound, b[j - 1] == 0x3A else { break }
            end = j - 1
        }
        return r.lowerBound..<end
    }

    /// Drops `async `, `new `, ` [as alias]` and anonymous names (`Object.<anonymous>`), which
    /// differ between runners and Node versions for the same code.
    private static func cleanJSFunction(_ b: [UInt8], _ f: Range<Int>) -> Range<Int> {
        var f = f
        for prefix: StaticString in ["async ", "new "] where ByteText.hasPrefix(b, f, prefix) {
            f = (f.lowerBound + prefix.utf8CodeUnitCount)..<f.upperBound
        }
        if let alias = rangeOf(b, f, " [as ") { f = f.lowerBound..<alias }
        if ByteText.containsIgnoringCase(b, f, "<anonymous>") || ByteText.containsIgnoringCase(b, f, "(anonymous") {
            return f.lowerBound..<f.lowerBound
        }
        return f
    }

    static func rangeOf(_ b: [UInt8], _ r: Range<Int>, _ needle: StaticString) -> Int? {
        let count = needle.utf8CodeUnitCount
        guard r.count >= count else { return nil }
        return needle.withUTF8Buffer { n in
            var i = r.lowerBound
            while i <= r.upperBound - count {
                var k = 0
                while k < count, b[i + k] == n[k] { k += 1 }
                if k == count { return i }
                i += 1
            }
            return nil
        }
    }
}

extension Range where Bound == Int {
    fileprivate func firstIndex(of byte: UInt8, in b: [UInt8]) -> Int? { self.first { b[$0] == byte } }
}
