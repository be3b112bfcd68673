/// Timestamps as reports spell them, turned into milliseconds since the Unix epoch (UTC).
///
/// Foundation's date parsing is off limits in this module, and the inputs are far looser than
/// ISO 8601 anyway: JUnit writers omit the zone (read as UTC), use a space instead of `T`,
/// append ` UTC`, or write an RFC 1123 date.
enum Timestamp {
    static func parse(_ text: String) -> Int64? {
        var scanner = Scanner(Array(text.utf8))
        scanner.skipSpaces()
        if let first = scanner.peek, isDigit(first) { return parseISO(&scanner) }
        return parseRFC1123(&scanner)
    }

    /// Milliseconds from the epoch for a JSON number that is either seconds or milliseconds
    /// (CTRF writers disagree); anything before 2001 in milliseconds is taken as seconds.
    static func epochMs(fromNumber value: Double) -> Int64? {
        guard value.isFinite, value > 0 else { return nil }
        return value < 1e12 ? Int64(value * 1000) : Int64(value)
    }

    private static func parseISO(_ s: inout Scanner) -> Int64? {
        guard let year = s.number(digits: 4), s.take(UInt8(ascii: "-")), let month = s.number(digits: 2),
            s.take(UInt8(ascii: "-")), let day = s.number(digits: 2)
        else { return nil }
        var seconds = 0, millis = 0
        let dateOnly = s.atEnd
        if !dateOnly {
            guard s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: " ")) else { return nil }
            s.skipSpaces()
            guard let hour = s.number(digits: 2), s.take(UInt8(ascii: ":")), let minute = s.number(digits: 2)
            else { return nil }
            var second = 0
            if s.take(UInt8(ascii: ":")) {
                guard let value = s.number(digits: 2) else { return nil }
                second = value
            }
            if s.take(UInt8(ascii: ".")) || s.take(UInt8(ascii: ",")) { millis = s.fraction(asUnitsOf: 1000) }
            seconds = hour * 3600 + minute * 60 + second
            s.skipSpaces()
            guard let offset = parseZone(&s) else { return nil }
            seconds -= offset
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        return (daysFromCivil(year: year, month: month, day: day) * 86_400 + Int64(seconds)) * 1000 + Int64(millis)
    }

    /// Offset east of UTC in seconds; a missing zone means UTC.
    private static func parseZone(_ s: inout Scanner) -> Int? {
        if s.atEnd || s.take(UInt8(ascii: "Z")) || s.takeWord("UTC") || s.takeWord("GMT") { return s.atEnd ? 0 : nil }
        let sign: Int
        if s.take(UInt8(ascii: "+")) { sign = 1 } else if s.take(UInt8(ascii: "-")) { sign = -1 } else { return nil }
        // `+01:00`, `+0100` or `+01`
        guard let hours = s.number(digits: 2, allowMoreDigits: true) else { return nil }
        _ = s.take(UInt8(ascii: ":"))
        let minutes = s.number(digits: 2) ?? 0
        return s.atEnd ? sign * (hours * 3600 + minutes * 60) : nil
    }

    /// `Sat, 03 Dec 2022 23:10:07 GMT`
    private static func parseRFC1123(_ s: inout Scanner) -> Int64? {
        while let byte = s.peek, byte != UInt8(ascii: ",") { s.advance() }
        guard s.take(UInt8(ascii: ",")) else { return nil }
        s.skipSpaces()
        guard let day = s.number(digits: 2) ?? s.number(digits: 1) else { return nil }
        s.skipSpaces()
        guard let monthName = s.letters(), let month = months.firstIndex(of: monthName.lowercased()) else { return nil }
        s.skipSpaces()
        guard let year = s.number(digits: 4) else { return nil }
        s.skipSpaces()
        guard let hour = s.number(digits: 2), s.take(UInt8(ascii: ":")), let minute = s.number(digits: 2),
            s.take(UInt8(ascii: ":")), let second = s.number(digits: 2)
        else { return nil }
        s.skipSpaces()
        guard let offset = parseZone(&s) else { return nil }
        let seconds = hour * 3600 + minute * 60 + second - offset
        return (daysFromCivil(year: year, month: month + 1, day: day) * 86_400 + Int64(seconds)) * 1000
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool {
            var i = index
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            return i == bytes.count
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func advance() { index += 1 }

        mutating func skipSpaces() {
            while peek == UInt8(ascii: " ") { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func takeWord(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { return false }
            index += w.count
            return true
        }

        /// Exactly `digits` digits, unless `allowMoreDigits` lets a digit follow.
        mutating func number(digits: Int, allowMoreDigits: Bool = false) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for i in index..<index + digits {
                guard Timestamp.isDigit(bytes[i]) else { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
            }
            if !allowMoreDigits, index + digits < bytes.count, Timestamp.isDigit(bytes[index + digits]) { return nil }
            index += digits
            return value
        }

        /// Reads a decimal fraction and scales it to `units` (1000 → milliseconds), truncating.
        mutating func fraction(asUnitsOf units: Int) -> Int {
            var value = 0
            var scale = units
            while let byte = peek, Timestamp.isDigit(byte) {
                scale /= 10
                value += Int(byte - 0x30) * scale
                index += 1
            }
            return value
        }

        mutating func letters() -> String? {
            let start = index
            while let byte = peek, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }
    }
}
