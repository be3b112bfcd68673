/// The escapers behind `HTML`'s interpolations.
enum Escape {
    /// Text and quoted attribute values share one escaper: escaping both quote kinds everywhere
    /// means a value can never close the attribute it is in, whichever quote the template used.
    static func html(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // A typed pointer rather than the buffer: its subscript is inlined even in debug builds.
        guard let value = buffer.baseAddress else { return }
        var runStart = 0
        var i = 0
        let count = buffer.count
        while i < count {
            // Eight bytes at a time while none needs escaping: most values are plain text, and
            // word operations keep debug builds, which run the tests, from crawling.
            if i + 8 <= count {
                let word = UnsafeRawPointer(value + i).loadUnaligned(as: UInt64.self)
                if !mayNeedEscape(word) {
                    i += 8
                    continue
                }
            }
            let byte = value[i]
            let replacement: StaticString
            switch byte {
            case 0x26 /* & */: replacement = "&amp;"
            case 0x3C /* < */: replacement = "&lt;"
            case 0x3E /* > */: replacement = "&gt;"
            case 0x22 /* " */: replacement = "&#34;"
            case 0x27 /* ' */: replacement = "&#39;"
            // Parsers drop or replace NUL inconsistently; U+FFFD is what the spec settles on.
            case 0: replacement = "\u{FFFD}"
            default:
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(start: value + runStart, count: i - runStart)) }
            replacement.withUTF8Buffer { out.append(contentsOf: $0) }
            i += 1
            runStart = i
        }
        if runStart < count { out.append(contentsOf: UnsafeBufferPointer(start: value + runStart, count: count - runStart)) }
    }

    /// Whether any byte of `word` is one of `& < > " '` or NUL (with rare false positives,
    /// which the byte-wise path sorts out): the classic "has a zero byte" test on `word` XOR
    /// each of them repeated.
    @inline(__always)
    private static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let amp = word ^ 0x2626_2626_2626_2626
        let lt = word ^ 0x3C3C_3C3C_3C3C_3C3C
        let gt = word ^ 0x3E3E_3E3E_3E3E_3E3E
        let quot = word ^ 0x2222_2222_2222_2222
        let apos = word ^ 0x2727_2727_2727_2727
        let found =
            ((word &- ones) & ~word) | ((amp &- ones) & ~amp) | ((lt &- ones) & ~lt) | ((gt &- ones) & ~gt) | ((quot &- ones) & ~quot)
            | ((apos &- ones) & ~apos)
        return found & highs != 0
    }

    /// What a URL that failed `isSafeURL` is replaced by: a URL that goes nowhere, and says why.
    static let blockedURL: [UInt8] = Array("about:invalid#blocked".utf8)

    /// Whether a whole URL may be navigated to: it has no scheme (relative, `/…`, `?…`, `#…`,
    /// `//host`), or its scheme is `http`, `https` or `mailto`. An allow-list rather than a
    /// deny-list, because browsers forgive spellings a deny-list would miss (`JaVaScRiPt:`,
    /// leading spaces and control characters, tabs and newlines inside the scheme): anything
    /// before the first `:` that is not exactly an allowed scheme is refused.
    static func isSafeURL(_ url: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<url.count {
            switch url[i] {
            case 0x2F /* / */, 0x3F /* ? */, 0x23 /* # */:
                return true  // a `:` after these is in a path, query or fragment
            case 0x3A /* : */:
                let scheme = UnsafeBufferPointer(rebasing: url[0..<i])
                return equalsIgnoringASCIICase(scheme, "http") || equalsIgnoringASCIICase(scheme, "https")
                    || equalsIgnoringASCIICase(scheme, "mailto")
            default:
                continue
            }
        }
        return true
    }

    private static func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            guard bytes.count == expected.count else { return false }
            for j in 0..<expected.count where HTMLContext.lowercased(bytes[j]) != expected[j] { return false }
            return true
        }
    }

    /// JSON inside `<script>`: `<` and `>` could spell `</script>` or `<!--`, `&` matters to
    /// XHTML parsers, and U+2028/U+2029 end lines in older JavaScript. All of them are only ever
    /// inside JSON strings, where `\uXXXX` means the same character.
    static func jsonInScript(_ json: [UInt8], into out: inout [UInt8]) {
        var i = 0
        let count = json.count
        var runStart = 0
        while i < count {
            let byte = json[i]
            let replacement: StaticString
            if byte == 0x3C /* < */ {
                replacement = "\\u003c"
            } else if byte == 0x3E /* > */ {
                replacement = "\\u003e"
            } else if byte == 0x26 /* & */ {
                replacement = "\\u0026"
            } else if byte == 0xE2, i + 2 < count, json[i + 1] == 0x80, json[i + 2] == 0xA8 || json[i + 2] == 0xA9 {
                replacement = json[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                out.append(contentsOf: json[runStart..<i])
                replacement.withUTF8Buffer { out.append(contentsOf: $0) }
                i += 3
                runStart = i
                continue
            } else {
                i += 1
                continue
            }
            out.append(contentsOf: json[runStart..<i])
            replacement.withUTF8Buffer { out.append(contentsOf: $0) }
            i += 1
            runStart = i
        }
        out.append(contentsOf: json[runStart..<count])
    }
}

/// Decimal digits written straight into a page, without a `String` in between.
enum Digits {
    static func append(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(0x2D /* - */) }
        append(value.magnitude, to: &out)
    }

    static func append(_ value: UInt, to out: inout [UInt8]) {
        var divisor: UInt = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(0x30 + UInt8(truncatingIfNeeded: (value / divisor) % 10))
            divisor /= 10
        }
    }

    /// `value` rounded to `maxFractionDigits` decimals, trailing zeros dropped; `-` only when the
    /// rounded value is not zero. Non-finite values are written as `0`, which keeps an SVG valid;
    /// callers that show figures check for them first.
    static func append(_ value: Double, maxFractionDigits: Int, trimZeros: Bool = true, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(0x30 /* 0 */)
            return
        }
        let digits = min(max(maxFractionDigits, 0), 6)
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded()
        guard scaled < 9e15 else {
            out.append(contentsOf: value.description.utf8)
            return
        }
        let units = UInt(scaled)
        let divisor = UInt(scale)
        if value < 0 && units > 0 { out.append(0x2D /* - */) }
        append(units / divisor, to: &out)
        var fraction = units % divisor
        var width = digits
        if trimZeros {
            while width > 0 && fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
        }
        guard width > 0 else { return }
        out.append(0x2E /* . */)
        var place: UInt = 1
        for _ in 1..<width { place *= 10 }
        while place > 0 {
            out.append(0x30 /* 0 */ + UInt8((fraction / place) % 10))
            place /= 10
        }
    }
}
