/// Decoders for PostgreSQL's text output that work on the bytes libpq hands over, so a value
/// becomes a number or a String array without an intermediate String.
public enum PostgresText {
    /// A decimal integer (`-42`); nil for anything else.
    public static func int64(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return value
    }

    /// A one-dimensional array literal (`{a,"b c",NULL}`), with the same rules as
    /// `PostgresArray.parse` (unquoted NULL items are left out) but byte by byte: the only
    /// bytes with meaning are ASCII, so multi-byte UTF-8 passes through untouched.
    public static func array(_ literal: UnsafeBufferPointer<UInt8>) -> [String] {
        guard literal.count >= 2 else { return [] }
        let body = UnsafeBufferPointer(rebasing: literal[1..<(literal.count - 1)])
        var items: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for byte in body {
            if escaped {
                current.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
                wasQuoted = true
            } else if byte == UInt8(ascii: ",") && !quoted {
                if wasQuoted || !isNull(current) { items.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty || wasQuoted { items.append(String(decoding: current, as: UTF8.self)) }
        return items
    }

    private static func isNull(_ bytes: [UInt8]) -> Bool {
        bytes.count == 4 && bytes[0] == UInt8(ascii: "N") && bytes[1] == UInt8(ascii: "U") && bytes[2] == UInt8(ascii: "L")
            && bytes[3] == UInt8(ascii: "L")
    }
}
