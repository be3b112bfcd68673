/// Which lines of a message (or of the text at the top of a stack) make the template.
///
/// The first line that is not a title says what failed; a few lines after it at the same
/// indentation often say how (`Expected: 4` / `Received: 3` under Jest's headline, `Locator:` /
/// `Expected:` / `Received:` under Playwright's). What is indented under them, diffs, code frames
/// and call logs is the failure's data, different in every test: it is left out, so one
/// template covers every test failing the same way and stays short enough to read as a reason.
/// The lines end at the first stack frame or `Caused by:`.
///
/// Two formats put the error elsewhere: pytest marks it with `E ` lines under the code, and a
/// Python traceback ends with it.
enum TemplateLines {
    static func select(_ b: [UInt8], _ lines: [Range<Int>]) -> [Range<Int>] {
        let pytest = pytestErrorLines(b, lines)
        if !pytest.isEmpty { return pytest }
        if let traceback = pythonTracebackError(b, lines) { return [traceback] }
        var chosen: [Range<Int>] = []
        var baseIndent = 0
        for line in lines {
            let t = ByteText.trimmed(b, line)
            if !chosen.isEmpty, isSectionEnd(b, t) { break }
            if t.isEmpty || isChatter(b, t) { continue }
            if let frame = StackFrameLine.parse(b, line), frame.kind == .trace { break }
            if ByteText.hasPrefix(b, t, "Caused by:") || isDiffHeader(b, t) { break }
            if chosen.isEmpty {
                baseIndent = ByteText.indent(b, line)
                chosen.append(t)
                continue
            }
            if isDataLine(b, t) { continue }
            if ByteText.indent(b, line) > baseIndent && ErrorTypeHeader.parse(b, t) == nil { continue }
            chosen.append(t)
            if chosen.count == FingerprintLimits.templateLines { break }
        }
        return chosen
    }

    /// pytest's `E   AssertionError: …` lines, the text after the `E`.
    private static func pytestErrorLines(_ b: [UInt8], _ lines: [Range<Int>]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        for line in lines {
            let t = ByteText.trimmed(b, line)
            guard t.count >= 3, b[t.lowerBound] == 0x45, ByteText.isSpace(b[t.lowerBound + 1]) else { continue }
            found.append(ByteText.trimmed(b, (t.lowerBound + 1)..<t.upperBound))
            if found.count == FingerprintLimits.templateLines { break }
        }
        return found
    }

    /// The `SomeError: message` line that ends a `Traceback (most recent call last):`.
    private static func pythonTracebackError(_ b: [UInt8], _ lines: [Range<Int>]) -> Range<Int>? {
        guard let start = lines.firstIndex(where: { ByteText.hasPrefix(b, ByteText.trimmed(b, $0), "Traceback (most recent call last)") })
        else { return nil }
        let level = ByteText.indent(b, lines[start])
        var result: Range<Int>?
        for line in lines[(start + 1)...] {
            let t = ByteText.trimmed(b, line)
            if t.isEmpty || ByteText.indent(b, line) > level || StackFrameLine.parse(b, line)?.kind == .trace { continue }
            if ByteText.hasPrefix(b, t, "Traceback (most recent call last)") || ByteText.hasPrefix(b, t, "During handling") { continue }
            if result == nil || ErrorTypeHeader.parse(b, t) != nil { result = t }
            if ErrorTypeHeader.parse(b, t) != nil { break }
        }
        return result
    }

    /// Titles and runner progress lines that are not the failure: Jest's `● Suite › test`,
    /// Playwright's `[project] › file:line › title ───` and attachment lists, `go test`'s
    /// `=== RUN` / `--- FAIL:`.
    static func isChatter(_ b: [UInt8], _ t: Range<Int>) -> Bool {
        if isTitle(b, t) { return true }
        for prefix in chatterPrefixes where ByteText.hasPrefix(b, t, prefix) { return true }
        return t.count == 4 && (ByteText.hasPrefix(b, t, "FAIL") || ByteText.hasPrefix(b, t, "PASS"))
    }

    /// A test's title as Jest (`● Suite › test`) and Playwright (`[chromium] › a.spec.ts:5:1 ›
    /// test ───`) print it above its error.
    static func isTitle(_ b: [UInt8], _ t: Range<Int>) -> Bool {
        guard !t.isEmpty else { return false }
        if ByteText.hasPrefix(b, t, "\u{25CF}") { return true }  // ●
        return b[t.lowerBound] == 0x5B && t.count > 4 && ByteText.contains(b[t], ArraySlice(Array("] \u{203A} ".utf8)))
    }

    /// Playwright's sections after the error: attachments, the retry's own output, page snapshots.
    private static func isSectionEnd(_ b: [UInt8], _ t: Range<Int>) -> Bool {
        ByteText.hasPrefix(b, t, "attachment #") || ByteText.hasPrefix(b, t, "Retry #") || ByteText.hasPrefix(b, t, "Error Context:")
    }

    private static let chatterPrefixes: [StaticString] = [
        "=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- FAIL", "--- PASS", "--- SKIP", "FAIL\t", "ok  \t", "Traceback (most recent",
        "Usage:", "From Your Spec Code:", "From Node.js Internals:",
    ]

    /// `--- Expected`, `+++ Actual`, `@@ … @@`: a unified diff starts; the rest is its body.
    private static func isDiffHeader(_ b: [UInt8], _ t: Range<Int>) -> Bool {
        ByteText.hasPrefix(b, t, "--- ") || ByteText.hasPrefix(b, t, "+++ ") || ByteText.hasPrefix(b, t, "@@")
    }

    /// Whether `lines` hold pytest's `E ` lines (the message above them is then pytest's
    /// one-line squash of the whole report).
    static func hasPytestErrors(_ b: [UInt8], _ lines: [Range<Int>]) -> Bool { !pytestErrorLines(b, lines).isEmpty }

    /// Diff bodies and headers, code frames and rules: data or decoration, not the failure.
    static func isDataLine(_ b: [UInt8], _ t: Range<Int>) -> Bool {
        let first = b[t.lowerBound]
        let second: UInt8 = t.count > 1 ? b[t.lowerBound + 1] : 0
        if (first == 0x2D || first == 0x2B) && (second == 0x20 || second == first) { return true }  // "- x", "+ x", "---", "+++"
        if first == 0x40 && second == 0x40 { return true }  // @@
        if first == 0x3E && (second == 0x20 || ByteText.isDigit(second)) { return true }  // "> 10 | code"
        if first == 0x7C { return true }  // "|     ^"
        if ByteText.isDigit(first) {  // "12 | code", "13   code" (TypeScript's frame)
            var i = t.lowerBound
            while i < t.upperBound, ByteText.isDigit(b[i]) { i += 1 }
            var spaces = 0
            while i < t.upperBound, b[i] == 0x20 {
                i += 1
                spaces += 1
            }
            if i < t.upperBound, b[i] == 0x7C || spaces >= 2 { return true }
        }
        // Rules and carets: nothing but `-=_~^*.│─` and spaces.
        var i = t.lowerBound
        while i < t.upperBound {
            let c = b[i]
            if c == 0xE2, i + 2 < t.upperBound, b[i + 1] == 0x94 || b[i + 1] == 0x95 {
                i += 3
                continue
            }
            guard c == 0x2D || c == 0x3D || c == 0x5F || c == 0x7E || c == 0x5E || c == 0x2A || c == 0x2E || c == 0x20 else { return false }
            i += 1
        }
        return true
    }
}
