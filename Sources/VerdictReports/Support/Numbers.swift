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
