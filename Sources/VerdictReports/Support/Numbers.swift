#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Number parsing for values that arrive as text (XML attributes). `strtod` reads straight from
/// libxml2's C strings, which spares a Swift string per `time` attribute.
enum Numbers {
    /// What a `time` attribute said.
    enum Seconds: Equatable {
        case value(Double)
        case absent
        case invalid
    }

    /// `secondsToMs(_: String)` for a value straight from libxml2: the common case (`0.123`) is
    /// read without making a Swift string.
    static func secondsToMs(_ text: UnsafePointer<UInt8>) -> Seconds {
        if let seconds = plainDecimal(text) { return .value(seconds * 1000) }
        let value = text.withMemoryRebound(to: CChar.self, capacity: 1) { chars -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(chars, &end)
            guard let end, end != UnsafeMutablePointer(mutating: chars), end.pointee == 0 else { return nil }
            return value
        }
        guard let value else { return secondsToMs(text.string) }
        guard value.isFinite, value >= 0 else { return .absent }
        return .value(value * 1000)
    }

    /// `123` or `0.042`, the shape nearly every `time` attribute has, read without strtod (which
    /// showed up at 4% of a JUnit parse). Exact: at most 15 digits make an integer that a Double
    /// holds exactly, and dividing it by an exact power of ten rounds once, as strtod does.
    /// Anything else (signs, exponents, separators, long fractions) is left to the full path.
    @inline(__always)
    static func plainDecimal(_ text: UnsafePointer<UInt8>) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        var i = 0
        while true {
            let byte = text[i]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if seenDot { fractionDigits += 1 }
                if digits > 15 { return nil }
            } else if byte == UInt8(ascii: "."), !seenDot {
                seenDot = true
            } else if byte == 0 {
                break
            } else {
                return nil
            }
            i += 1
        }
        // `.5` and `5.` are numbers to strtod too, but rare enough to leave to it.
        guard digits > 0, !(seenDot && (fractionDigits == 0 || digits == fractionDigits && text[0] == UInt8(ascii: ".")))
        else { return nil }
        return Double(mantissa) / powersOfTen[fractionDigits]
    }

    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    /// A JUnit `time` attribute (seconds) as milliseconds. Thousands separators (`2,503.1`) and
    /// a trailing `s` are dropped. `.invalid` is text that is not a number; `.absent` is empty,
    /// negative or non-finite, which some generators write for "unknown".
    static func secondsToMs(_ text: String) -> Seconds {
        var cleaned = text.filter { $0 != "," && $0 != " " }
        if cleaned.hasSuffix("s") { cleaned.removeLast() }
        guard !cleaned.isEmpty else { return .absent }
        guard let seconds = parseDouble(cleaned) else { return .invalid }
        guard seconds.isFinite, seconds >= 0 else { return .absent }
        return .value(seconds * 1000)
    }

    static func parseDouble(_ text: String) -> Double? {
        text.withCString { pointer -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(pointer, &end)
            guard let end, end != UnsafeMutablePointer(mutating: pointer), end.pointee == 0 else { return nil }
            return value
        }
    }

    static func parseInt(_ text: String) -> Int? {
        Int(text.filter { $0 != " " })
    }
}
