/// Replaces the parts of one message line that change from run to run with placeholders, so
/// the same failure reads the same everywhere: `Timeout 1500ms exceeded waiting for
/// locator('#pay')` becomes `Timeout <num>ms exceeded waiting for locator(<str>)`.
///
/// Masked: quoted values (`<str>`); values in `:<…>` (JUnit's `expected:<…> but was:<…>`,
/// `<val>`); regular expressions after `pattern:` (`<regex>`); URLs (scheme and host kept, see
/// `maskURL`); file paths with their `:line:col` (`<path>`); ISO/RFC timestamps, dates and clock
/// times (`<time>`); UUIDs (`<uuid>`); hex (`0x…`, SHAs and other long hex runs, memory
/// addresses: `<hex>`); numbers (`<num>`, a unit right after it stays: `<num>ms`) except status
/// and exit codes; long random-looking ids (`<id>`). Runs of whitespace become one space. Digits
/// glued to letters (`utf8`, `e2e`, `v8`) are part of a word and stay.
///
/// Work is linear in the line (each scanner looks ahead a bounded distance) and stops once the
/// output reaches its limit.
struct MessageMasker {
    private let b: [UInt8]
    private var out: [UInt8] = []

    private init(_ bytes: [UInt8]) { b = bytes }

    /// The masked form of `range` of `bytes`, at most `limit` bytes (then cut at a placeholder or
    /// character boundary).
    static func mask(_ bytes: [UInt8], _ range: Range<Int>, limit: Int = FingerprintLimits.templateLineBytes) -> [UInt8] {
        var masker = MessageMasker(bytes)
        masker.out.reserveCapacity(min(range.count, limit) + 16)
        masker.run(range, limit: limit)
        while let last = masker.out.last, last == 0x20 { masker.out.removeLast() }
        return masker.out
    }

    private mutating func run(_ range: Range<Int>, limit: Int) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end, out.count < limit {
            let c = b[i]
            if ByteText.isSpace(c) {
                if !out.isEmpty, out.last != 0x20 { out.append(0x20) }
                i += 1
                continue
            }
            // `worker_12`: digits after an underscore are a number, digits after a letter part of a word.
            let atToken = i == range.lowerBound || !ByteText.isWord(b[i - 1]) || (ByteText.isDigit(c) && b[i - 1] == 0x5F)
            if c == 0x27 || c == 0x22 || c == 0x60, let close = closingQuote(from: i, end: end) {
                emit("<str>")
                i = close + 1
                continue
            }
            if c == 0x3C, out.last == 0x3A || (out.last == 0x20 && out.count >= 2 && out[out.count - 2] == 0x3A),
                let close = find(0x3E, from: i + 1, end: end, within: 200)
            {
                emit("<val>")
                i = close + 1
                continue
            }
            if atToken, ByteText.isLetter(c), let next = maskURL(from: i, end: end) {
                i = next
                continue
            }
            if c == 0x2F, endsWithPatternLabel(), let close = find(0x2F, from: i + 1, end: end, within: 500) {
                // Jest's and Playwright's `Expected pattern: /re/flags`: the expected value.
                emit("<regex>")
                i = close + 1
                while i < end, ByteText.isLetter(b[i]) { i += 1 }
                continue
            }
            if atToken, let next = maskPath(from: i, end: end) {
                i = next
                continue
            }
            if atToken, ByteText.isAlnum(c) {
                if let next = maskTime(from: i, end: end) ?? maskUUID(from: i, end: end) ?? maskDateWords(from: i, end: end) {
                    emit(next.placeholder)
                    i = next.end
                    continue
                }
                i = maskWord(from: i, end: end)
                continue
            }
            out.append(c)
            i += 1
        }
        if out.count > limit {
            // Cut on a UTF-8 character boundary so the template stays valid text.
            var cut = limit
            while cut > 0, out[cut] & 0xC0 == 0x80 { cut -= 1 }
            out.removeSubrange(cut...)
        }
    }

    private func endsWithPatternLabel() -> Bool {
        let label = Array("pattern: ".utf8)
        return out.count >= label.count && out[(out.count - label.count)...].map(ByteText.lower).elementsEqual(label)
    }

    private mutating func emit(_ text: StaticString) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private func find(_ byte: UInt8, from start: Int, end: Int, within: Int) -> Int? {
        var i = start
        let stop = min(end, start + within)
        while i < stop {
            if b[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// The index of the quote closing the one at `start`, or nil when it is not a quote: an
    /// apostrophe inside a word (`can't`), or a quote without a partner on the line.
    private func closingQuote(from start: Int, end: Int) -> Int? {
        let quote = b[start]
        if quote == 0x27, start > 0, ByteText.isAlnum(b[start - 1]) { return nil }
        var i = start + 1
        let stop = min(end, start + 2_000)
        while i < stop {
            let c = b[i]
            if c == 0x5C, quote != 0x60 {
                i += 2
                continue
            }
            if c == quote {
                if quote == 0x27, i + 1 < end, ByteText.isAlnum(b[i + 1]), i == start + 1 || !ByteText.isSpace(b[i - 1]) {
                    // `don't` inside a quoted value: keep looking for the real closing quote.
                    i += 1
                    continue
                }
                return i
            }
            i += 1
        }
        return nil
    }

    /// `scheme://host[:port][/rest]` → `scheme://host[:<num>][/<path>]`. The host stays: which
    /// service failed (localhost, a staging API, a third party) is part of what the failure is,
    /// and it is stable; ports of test servers, paths with ids and query strings are not. A
    /// numeric host (an IP) becomes `<ip>`.
    private mutating func maskURL(from start: Int, end: Int) -> Int? {
        var i = start
        while i < end, ByteText.isAlnum(b[i]) || b[i] == 0x2B || b[i] == 0x2D || b[i] == 0x2E { i += 1 }
        guard i - start >= 2, i - start <= 12, i + 2 < end, b[i] == 0x3A, b[i + 1] == 0x2F, b[i + 2] == 0x2F else { return nil }
        for j in start..<i { out.append(ByteText.lower(b[j])) }
        emit("://")
        i += 3
        let hostStart = i
        var numeric = true
        while i < end, ByteText.isAlnum(b[i]) || b[i] == 0x2D || b[i] == 0x2E || b[i] == 0x5F || b[i] == 0x40 {
            if !ByteText.isDigit(b[i]) && b[i] != 0x2E { numeric = false }
            i += 1
        }
        if i > hostStart {
            if numeric { emit("<ip>") } else { for j in hostStart..<i { out.append(ByteText.lower(b[j])) } }
        }
        if i < end, b[i] == 0x3A, i + 1 < end, ByteText.isDigit(b[i + 1]) {
            i += 1
            while i < end, ByteText.isDigit(b[i]) { i += 1 }
            emit(":<num>")
        }
        let restStart = i
        while i < end, !ByteText.isSpace(b[i]), !Self.endsToken(b[i]) { i += 1 }
        // A sentence's full stop or comma after the URL is not part of it.
        while i > restStart, b[i - 1] == 0x2E || b[i - 1] == 0x2C || b[i - 1] == 0x3A { i -= 1 }
        if i - restStart > 1 || (i - restStart == 1 && b[restStart] != 0x2F) { emit("/<path>") } else if i > restStart { out.append(0x2F) }
        return i
    }

    /// Bytes that end a path or URL token: quotes and brackets around it.
    @inline(__always) private static func endsToken(_ c: UInt8) -> Bool {
        c == 0x22 || c == 0x27 || c == 0x60 || c == 0x28 || c == 0x29 || c == 0x3C || c == 0x3E || c == 0x5B || c == 0x5D
            || c == 0x7B || c == 0x7D || c == 0x2C || c == 0x3B
    }

    /// A file path, absolute (`/…`, `C:\…`, `\\server\…`, `~/…`) or relative (`./…`, `../…`,
    /// `a/b/c`, `src/x.ts`), or a bare file name followed by a line number (`total.ts:12`),
    /// with any `:line:col` or `(line)` after it → `<path>`.
    private mutating func maskPath(from start: Int, end: Int) -> Int? {
        let c = b[start]
        guard c == 0x2F || c == 0x2E || c == 0x7E || c == 0x5C || ByteText.isAlnum(c) || c == 0x5F || c == 0x40 else { return nil }
        var i = start
        var separators = 0
        var lastSeparator = -1
        var drive = false
        if ByteText.isLetter(c), start + 2 < end, b[start + 1] == 0x3A, b[start + 2] == 0x5C || b[start + 2] == 0x2F {
            drive = true
            i = start + 2
        }
        while i < end {
            let d = b[i]
            if d == 0x2F || d == 0x5C {
                separators += 1
                lastSeparator = i
            } else if !(ByteText.isWord(d) || d == 0x2E || d == 0x2D || d == 0x7E || d == 0x40 || d == 0x2B || d == 0x25 || d >= 0x80) {
                break
            }
            i += 1
        }
        var tokenEnd = i
        while tokenEnd > start, b[tokenEnd - 1] == 0x2E { tokenEnd -= 1 }  // a sentence's full stop
        guard tokenEnd > start else { return nil }
        let lastSegment = (lastSeparator >= start ? lastSeparator + 1 : start)..<tokenEnd
        let hasExtension = Self.hasExtension(b, lastSegment)
        var lineEnd = tokenEnd
        // `:12`, `:12:5`, `(12)`, `(12,5)`
        if tokenEnd == i, i + 1 < end, b[i] == 0x3A, ByteText.isDigit(b[i + 1]) {
            lineEnd = i + 1
            while lineEnd < end, ByteText.isDigit(b[lineEnd]) { lineEnd += 1 }
            if lineEnd + 1 < end, b[lineEnd] == 0x3A, ByteText.isDigit(b[lineEnd + 1]) {
                lineEnd += 1
                while lineEnd < end, ByteText.isDigit(b[lineEnd]) { lineEnd += 1 }
            }
        } else if tokenEnd == i, hasExtension, i + 1 < end, b[i] == 0x28, ByteText.isDigit(b[i + 1]) {
            var j = i + 1
            while j < end, ByteText.isDigit(b[j]) || b[j] == 0x2C { j += 1 }
            if j < end, b[j] == 0x29 { lineEnd = j + 1 }
        }
        let hasLine = lineEnd > tokenEnd
        let isPath: Bool
        switch c {
        case _ where drive: isPath = true
        case 0x2F:  // `/a/b`, `/a.txt`; not `/` alone or `// comment`
            isPath = tokenEnd > start + 1 && (ByteText.isWord(b[start + 1]) || b[start + 1] == 0x2E) && (separators >= 2 || hasExtension)
        case 0x5C: isPath = tokenEnd > start + 1 && b[start + 1] == 0x5C && separators >= 3
        case 0x2E, 0x7E:
            isPath = separators >= 1 && start + 1 < tokenEnd && (b[start + 1] == 0x2F || b[start + 1] == 0x5C || b[start + 1] == 0x2E)
        default: isPath = (separators >= 1 && hasExtension) || separators >= 2 || (hasExtension && hasLine)
        }
        guard isPath else { return nil }
        emit("<path>")
        return lineEnd
    }

    /// Whether a path segment ends in `.ext` (1–6 letters, a digit allowed after the first).
    static func hasExtension(_ b: [UInt8], _ segment: Range<Int>) -> Bool {
        guard let dot = segment.lastIndex(where: { b[$0] == 0x2E }), dot > segment.lowerBound else { return false }
        let ext = (dot + 1)..<segment.upperBound
        guard (1...6).contains(ext.count), ByteText.isLetter(b[ext.lowerBound]) else { return false }
        return ext.allSatisfy { ByteText.isAlnum(b[$0]) }
    }

    /// ISO 8601 / RFC 3339 dates and times (`2024-01-15`, `2024-01-15T10:30:00.123Z`,
    /// `2024-01-15 10:30:00+02:00`) and clock times (`10:30:00`, `10:30:00.5`).
    private func maskTime(from start: Int, end: Int) -> (placeholder: StaticString, end: Int)? {
        func digits(_ at: Int, _ count: Int) -> Bool {
            at + count <= end && (at..<at + count).allSatisfy { ByteText.isDigit(b[$0]) }
        }
        var i = start
        var matched = false
        if digits(i, 4), i + 4 < end, b[i + 4] == 0x2D || b[i + 4] == 0x2F, digits(i + 5, 2), i + 7 < end, b[i + 7] == b[i + 4],
            digits(i + 8, 2)
        {
            i += 10
            matched = true
            if i + 1 < end, b[i] == 0x54 || b[i] == 0x20, let t = clock(from: i + 1, end: end) { i = t }
        } else if let t = clock(from: i, end: end) {
            i = t
            matched = true
        }
        guard matched else { return nil }
        // Zone: Z, +02:00, -0500
        if i < end, b[i] == 0x5A {
            i += 1
        } else if i < end, b[i] == 0x2B || b[i] == 0x2D, digits(i + 1, 2) {
            var j = i + 3
            if j < end, b[j] == 0x3A { j += 1 }
            if digits(j, 2) { i = j + 2 }
        }
        guard i >= end || !ByteText.isWord(b[i]) else { return nil }
        return ("<time>", i)
    }

    /// `hh:mm:ss[.fff]` (also `h:mm:ss`); nil unless it is one.
    private func clock(from start: Int, end: Int) -> Int? {
        var i = start
        while i < end, ByteText.isDigit(b[i]), i - start < 3 { i += 1 }
        guard (1...2).contains(i - start) else { return nil }
        for _ in 0..<2 {  // :mm, then :ss
            guard i + 3 <= end, b[i] == 0x3A, ByteText.isDigit(b[i + 1]), ByteText.isDigit(b[i + 2]) else { return nil }
            i += 3
        }
        if i + 1 < end, b[i] == 0x2E || b[i] == 0x2C, ByteText.isDigit(b[i + 1]) {
            i += 1
            while i < end, ByteText.isDigit(b[i]) { i += 1 }
        }
        return i
    }

    /// `8-4-4-4-12` hex digits.
    private func maskUUID(from start: Int, end: Int) -> (placeholder: StaticString, end: Int)? {
        guard start + 36 <= end else { return nil }
        for offset in 0..<36 {
            let c = b[start + offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                if c != 0x2D { return nil }
            } else if !ByteText.isHex(c) {
                return nil
            }
        }
        if start + 36 < end, ByteText.isWord(b[start + 36]) { return nil }
        return ("<uuid>", start + 36)
    }

    private static let dateWords: [[UInt8]] = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
        "nov", "dec",
    ].map { Array($0.utf8) }

    /// RFC 2822 and JavaScript `Date` strings: `Mon, 15 Jan 2024 10:30:00 GMT`, `Mon Jan 15 2024
    /// 10:30:00 GMT+0000 (Coordinated Universal Time)`. Starts at a weekday or month name and
    /// needs two numbers after it, so `May 5 items` stays text.
    private func maskDateWords(from start: Int, end: Int) -> (placeholder: StaticString, end: Int)? {
        guard ByteText.isLetter(b[start]), start + 3 <= end else { return nil }
        let head = (start..<start + 3).map { ByteText.lower(b[$0]) }
        guard Self.dateWords.contains(head) else { return nil }
        var i = start
        var numbers = 0
        var lastGood = start
        while i < end {
            let wordStart = i
            if ByteText.isLetter(b[i]) {
                while i < end, ByteText.isLetter(b[i]) { i += 1 }
                let word = (wordStart..<min(wordStart + 3, i)).map { ByteText.lower(b[$0]) }
                let isZone = i - wordStart == 3 && (word == Array("gmt".utf8) || word == Array("utc".utf8))
                guard isZone || (i - wordStart >= 3 && Self.dateWords.contains(word)) else {
                    i = wordStart
                    break
                }
                if isZone, i + 1 < end, b[i] == 0x2B || b[i] == 0x2D {
                    i += 1
                    while i < end, ByteText.isDigit(b[i]) { i += 1 }
                }
            } else if ByteText.isDigit(b[i]) {
                if let t = clock(from: i, end: end) {
                    i = t
                } else {
                    while i < end, ByteText.isDigit(b[i]) { i += 1 }
                    guard i - wordStart <= 4 else { break }
                }
                numbers += 1
            } else if b[i] == 0x28, numbers >= 2, let close = find(0x29, from: i, end: end, within: 60) {
                i = close + 1
            } else {
                break
            }
            lastGood = i
            while i < end, b[i] == 0x20 || b[i] == 0x2C { i += 1 }
        }
        guard numbers >= 2 else { return nil }
        return ("<time>", lastGood)
    }

    /// A run of letters and digits: numbers, hex, ids; plain words are copied.
    private mutating func maskWord(from start: Int, end: Int) -> Int {
        var i = start
        var digits = 0
        var letters = 0
        var hexOnly = true
        var firstLetter = -1
        while i < end, ByteText.isAlnum(b[i]) {
            if ByteText.isDigit(b[i]) {
                digits += 1
            } else {
                letters += 1
                if firstLetter < 0 { firstLetter = i }
                if !ByteText.isHex(b[i]) { hexOnly = false }
            }
            i += 1
        }
        let length = i - start
        if ByteText.isDigit(b[start]) {
            if length >= 3, b[start] == 0x30, ByteText.lower(b[start + 1]) == 0x78,
                hexOnly || (start + 2..<i).allSatisfy({ ByteText.isHex(b[$0]) })
            {
                emit("<hex>")
                return i
            }
            if letters == 0 {
                // A decimal fraction or a version-like dotted number is one value.
                var j = i
                while j + 1 < end, b[j] == 0x2E, ByteText.isDigit(b[j + 1]) {
                    j += 1
                    while j < end, ByteText.isDigit(b[j]) { j += 1 }
                }
                if j < end, ByteText.isLetter(b[j]) { return maskWord(from: start, end: end, numberEnd: j) }
                if j == i, length <= 3, followsCategoricalWord() {
                    out.append(contentsOf: b[start..<i])
                    return i
                }
                emit("<num>")
                return j
            }
            if hexOnly, length >= 8 {
                emit("<hex>")
                return i
            }
            // Digits then only letters: a number with its unit (`1500ms`, `2nd`, `10px`).
            if (firstLetter..<i).allSatisfy({ ByteText.isLetter(b[$0]) }), i - firstLetter <= 5 {
                emit("<num>")
                out.append(contentsOf: b[firstLetter..<i])
                return i
            }
            emit("<id>")
            return i
        }
        if digits > 0, hexOnly, length >= 8 {
            emit("<hex>")
            return i
        }
        if length >= 12, digits >= 3 {
            emit("<id>")
            return i
        }
        out.append(contentsOf: b[start..<i])
        return i
    }

    /// Whether the number about to be written names a category rather than measuring something:
    /// `status 503`, `status code: 404`, `exit code 2`, `errno 13`. Those tell failures apart
    /// (a 503 and a 404 are different failures) and do not vary between runs of one.
    private func followsCategoricalWord() -> Bool {
        var i = out.count
        var skipped = 0
        while i > 0, skipped < 3, out[i - 1] == 0x20 || out[i - 1] == 0x3A || out[i - 1] == 0x3D || out[i - 1] == 0x23 {
            i -= 1
            skipped += 1
        }
        var start = i
        while start > 0, ByteText.isLetter(out[start - 1]) { start -= 1 }
        guard start < i, i - start <= 6 else { return false }
        let word = out[start..<i].map(ByteText.lower)
        return Self.categoricalWords.contains(word)
    }

    private static let categoricalWords: [[UInt8]] = ["status", "code", "http", "errno", "signal"].map { Array($0.utf8) }

    /// `1.5s`: the number up to `numberEnd`, then its unit.
    private mutating func maskWord(from start: Int, end: Int, numberEnd: Int) -> Int {
        var i = numberEnd
        while i < end, ByteText.isLetter(b[i]) { i += 1 }
        emit("<num>")
        if i - numberEnd <= 5, i >= end || !ByteText.isDigit(b[i]) {
            out.append(contentsOf: b[numberEnd..<i])
            return i
        }
        return numberEnd
    }
}
