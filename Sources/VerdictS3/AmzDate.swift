#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A whole-second UTC instant, the only precision SigV4 carries.
public struct AmzDate: Sendable, Hashable, Comparable {
    public var secondsSince1970: Int

    public init(secondsSince1970: Int) {
        self.secondsSince1970 = secondsSince1970
    }

    public static func now() -> AmzDate {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AmzDate(secondsSince1970: Int(spec.tv_sec))
    }

    /// Parses the ISO 8601 basic form SigV4 uses, e.g. `20130524T000000Z`.
    public init?(iso8601Basic text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = month - 1
        fields.tm_mday = day
        fields.tm_hour = hour
        fields.tm_min = minute
        fields.tm_sec = second
        self.init(secondsSince1970: Int(timegm(&fields)))
        // timegm silently normalises out-of-range fields (month 13, Feb 30), so only
        // a value that formats back to the same text was a real date.
        guard iso8601Basic == text else { return nil }
    }

    /// `yyyyMMdd'T'HHmmss'Z'`: the X-Amz-Date form.
    public var iso8601Basic: String {
        let t = fields
        return pad(t.tm_year + 1900, 4) + pad(t.tm_mon + 1, 2) + pad(t.tm_mday, 2) + "T"
            + pad(t.tm_hour, 2) + pad(t.tm_min, 2) + pad(t.tm_sec, 2) + "Z"
    }

    /// `yyyyMMdd`: the date that scopes a signing key.
    public var dateStamp: String {
        String(iso8601Basic.prefix(8))
    }

    /// `yyyy-MM-dd'T'HH:mm:ss'Z'`: the form S3 uses inside error bodies.
    public var iso8601Extended: String {
        let t = fields
        return pad(t.tm_year + 1900, 4) + "-" + pad(t.tm_mon + 1, 2) + "-" + pad(t.tm_mday, 2) + "T"
            + pad(t.tm_hour, 2) + ":" + pad(t.tm_min, 2) + ":" + pad(t.tm_sec, 2) + "Z"
    }

    public func adding(seconds: Int) -> AmzDate {
        AmzDate(secondsSince1970: secondsSince1970 + seconds)
    }

    public static func < (lhs: AmzDate, rhs: AmzDate) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    private var fields: tm {
        var seconds = time_t(secondsSince1970)
        var result = tm()
        gmtime_r(&seconds, &result)
        return result
    }

    private func pad(_ value: Int32, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
