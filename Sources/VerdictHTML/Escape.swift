/// The escapers behind `HTML`'s interpolations.
enum Escape {
    /// Text and quoted attribute values share one escaper: escaping both quote kinds everywhere
    /// means a value can never close the attribute it is in, whichever quote the template used.
    static func html(_ value: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var runStart = 0
        var i = 0
        let count = value.count
        while i < count {
            let byte = value[i]
            // Every byte to escape is at most `>`; most text is letters, which skip the switch.
            if byte > UInt8(ascii: ">") || (byte > 0x27 && byte < 0x3C) {
                i += 1
                continue
            }
            let replacement: StaticString
            switch byte {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&#34;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            // Parsers drop or replace NUL inconsistently; U+FFFD is what the spec settles on.
            case 0: replacement = "\u{FFFD}"
            default:
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[runStart..<i])) }
            replacement.withUTF8Buffer { out.append(contentsOf: $0) }
            i += 1
            runStart = i
        }
        if runStart < count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[runStart..<count])) }
    }

    /// What a URL that failed `isSafeURL` is replaced by: a URL that goes nowhere, and says why.
    static let blockedURL: [UInt8] = Array("about:invalid#blocked".utf8)

    /// Whether a whole URL may be navigated to: it has no scheme (relative, `/…`, `?…`, `#…`,
    /// `//host`), or its scheme is `http`, `https` or `mailto`. An allow-list rather than a
    /// deny-list, because browsers forgive spellings a deny-list would miss (`JaVaScRiPt:`,
    /// leading spaces and control characters, tabs and newlines inside the scheme): anything
    /// before the first `:` that is not exactly an allowed scheme is refused.
    static func isSafeURL(_ url: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<url.count {
            switch url[i] {
            case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"):
                return true  // a `:` after these is in a path, query or fragment
            case UInt8(ascii: ":"):
                let scheme = UnsafeRawBufferPointer(rebasing: url[0..<i])
                return equalsIgnoringASCIICase(scheme, "http") || equalsIgnoringASCIICase(scheme, "https")
                    || equalsIgnoringASCIICase(scheme, "mailto")
            default:
                continue
            }
        }
        return true
    }

    private static func equalsIgnoringASCIICase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
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
            if byte == UInt8(ascii: "<") {
                replacement = "\\u003c"
            } else if byte == UInt8(ascii: ">") {
                replacement = "\\u003e"
            } else if byte == UInt8(ascii: "&") {
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
        if value < 0 { out.append(UInt8(ascii: "-")) }
        append(value.magnitude, to: &out)
    }

    static func append(_ value: UInt, to out: inout [UInt8]) {
        // Twenty digits hold any UInt; write them backwards into a fixed buffer, then copy.
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var remaining = value
        var length = 0
        withUnsafeMutableBytes(of: &buffer) { digits in
            repeat {
                length += 1
                digits[24 - length] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[(24 - length)...]))
        }
    }

    /// `value` rounded to `maxFractionDigits` decimals, trailing zeros dropped; `-` only when the
    /// rounded value is not zero. Non-finite values are written as `0`, which keeps an SVG valid;
    /// callers that show figures check for them first.
    static func append(_ value: Double, maxFractionDigits: Int, trimZeros: Bool = true, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(UInt8(ascii: "0"))
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
        if value < 0 && units > 0 { out.append(UInt8(ascii: "-")) }
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
        out.append(UInt8(ascii: "."))
        var place: UInt = 1
        for _ in 1..<width { place *= 10 }
        while place > 0 {
            out.append(UInt8(ascii: "0") + UInt8((fraction / place) % 10))
            place /= 10
        }
    }
}
