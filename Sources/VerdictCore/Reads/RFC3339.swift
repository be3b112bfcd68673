/// Timestamps that callers send in query strings. PostgreSQL's own parser would also take
/// `now`, `epoch` or `January 8` and the server's time zone; the API promises RFC 3339, so
/// the text is checked here and only then handed to `::timestamptz`.
public enum RFC3339 {
    /// The timestamp, normalized for PostgreSQL, or `.invalid` naming `field`.
    public static func parse(_ text: String, field: String) throws(ServiceError) -> String {
        guard let normalized = normalize(text) else {
            throw .invalid(field: field, reason: "must be an RFC 3339 timestamp such as 2026-05-01T12:00:00Z")
        }
        return normalized
    }

    static func normalize(_ text: String) -> String? {
        var bytes = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SS is 19 bytes; an offset or Z follows, maybe after a fraction.
        guard bytes.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<start + count {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == UInt8(ascii: "-"), let month = digits(5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(bytes[10]),
            let hour = digits(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = digits(14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23, minute <= 59,
            second <= 60
        else { return nil }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > fractionStart, index < bytes.count else { return nil }
        }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " "):
            // Real offsets stay within ±14:00; PostgreSQL refuses anything past ±15:59.
            guard index + 6 == bytes.count, let offsetHours = digits(index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                let offsetMinutes = digits(index + 4, 2), offsetHours <= 15, offsetMinutes <= 59
            else { return nil }
            // An unencoded `+` in a query string arrives as a space (form encoding); nothing
            // else can stand there, so it is read as the `+` the caller meant.
            if bytes[index] == UInt8(ascii: " ") { bytes[index] = UInt8(ascii: "+") }
        default:
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
