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
        plainArray(literal) ?? escapedArray(literal)
    }

    /// The common case, items without backslashes: each becomes a String straight from its
    /// bytes. Nil when an item needs unescaping (or the literal is odd), for `escapedArray`.
    private static func plainArray(_ literal: UnsafeBufferPointer<UInt8>) -> [String]? {
        guard literal.count >= 2, literal[0] == UInt8(ascii: "{"), literal[literal.count - 1] == UInt8(ascii: "}") else { return nil }
        let end = literal.count - 1
        var items: [String] = []
        var index = 1
        while index < end {
            var start = index
            var stop: Int
            let quoted = literal[index] == UInt8(ascii: "\"")
            if quoted {
                start += 1
                stop = start
                while stop < end && literal[stop] != UInt8(ascii: "\"") {
                    guard literal[stop] != UInt8(ascii: "\\") else { return nil }
                    stop += 1
                }
                guard stop < end else { return nil }
                index = stop + 1
            } else {
                stop = start
                while stop < end && literal[stop] != UInt8(ascii: ",") {
                    let byte = literal[stop]
                    guard byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") else { return nil }
                    stop += 1
                }
                index = stop
            }
            let item = UnsafeBufferPointer(rebasing: literal[start..<stop])
            let isLast = index >= end
            if !isLast {
                guard literal[index] == UInt8(ascii: ",") else { return nil }
                index += 1
                // A trailing comma: leave that odd shape to the general parser.
                guard index < end else { return nil }
            }
            // Unquoted NULL is a null item, left out, except in last place (as PostgresArray.parse has it).
            if quoted || isLast || !isNull(item) { items.append(String(decoding: item, as: UTF8.self)) }
        }
        return items
    }

    private static func escapedArray(_ literal: UnsafeBufferPointer<UInt8>) -> [String] {
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

    private static func isNull<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool where Bytes.Index == Int {
        bytes.elementsEqual("NULL".utf8)
    }
}
