import CPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// A result read in place: values stay in libpq's buffer and are decoded only when asked for,
/// and columns are addressed by position. For bulk reads (an export), where `Row`'s String
/// per value and dictionary per row cost more than the query.
public struct RawResult {
    let result: OpaquePointer

    public var rowCount: Int { Int(PQntuples(result)) }

    /// The position of the column called `name`; resolve it once, before the rows.
    public func column(_ name: String) -> Int {
        let index = PQfnumber(result, name)
        guard index >= 0 else { preconditionFailure("no column \(name) in result") }
        return Int(index)
    }

    public func row(_ index: Int) -> RawRow { RawRow(result: result, row: Int32(index)) }
}

/// One row of a `RawResult`, valid only while the closure that received the result runs.
///
/// Values come in the column's format: text, or binary when the statement asked for it (a
/// batched fetch with `binary: true`), which spares the server printing and this side parsing every uuid,
/// number and array of a bulk read.
public struct RawRow {
    let result: OpaquePointer
    let row: Int32

    public func isNull(_ column: Int) -> Bool { PQgetisnull(result, row, Int32(column)) == 1 }

    private func isBinary(_ column: Int) -> Bool { PQfformat(result, Int32(column)) == 1 }

    /// The value's bytes (empty for NULL); in text format libpq keeps them NUL-terminated.
    public func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        let length = Int(PQgetlength(result, row, Int32(column)))
        let pointer = UnsafeRawPointer(PQgetvalue(result, row, Int32(column))!).assumingMemoryBound(to: UInt8.self)
        return UnsafeBufferPointer(start: pointer, count: length)
    }

    /// A text value (`text`, `varchar`, a `::text` cast): its bytes are the same in both formats.
    public func string(_ column: Int) -> String? {
        isNull(column) ? nil : String(decoding: bytes(column), as: UTF8.self)
    }

    public func int64(_ column: Int) -> Int64? {
        guard !isNull(column) else { return nil }
        guard isBinary(column) else { return PostgresText.int64(bytes(column)) }
        let value = bytes(column)
        switch value.count {
        case 2: return Int64(Int16(bitPattern: UInt16(PostgresBinary.bigEndian(value, width: 2))))
        case 4: return Int64(Int32(bitPattern: UInt32(PostgresBinary.bigEndian(value, width: 4))))
        case 8: return Int64(bitPattern: PostgresBinary.bigEndian(value, width: 8))
        default: return nil
        }
    }

    public func int(_ column: Int) -> Int? { int64(column).map { Int($0) } }

    public func double(_ column: Int) -> Double? {
        guard !isNull(column) else { return nil }
        guard isBinary(column) else {
            // PostgreSQL's float8 text (shortest round trip, "Infinity", "NaN") is what strtod reads.
            return strtod(PQgetvalue(result, row, Int32(column)), nil)
        }
        let value = bytes(column)
        switch value.count {
        case 4: return Double(Float(bitPattern: UInt32(PostgresBinary.bigEndian(value, width: 4))))
        case 8: return Double(bitPattern: PostgresBinary.bigEndian(value, width: 8))
        default: return nil
        }
    }

    /// A `timestamptz` in binary format, as Unix milliseconds (rounded down).
    public func timestampMilliseconds(_ column: Int) -> Int64? {
        guard !isNull(column) else { return nil }
        precondition(isBinary(column), "timestampMilliseconds reads binary timestamps only")
        let value = bytes(column)
        guard value.count == 8 else { return nil }
        let micros = Int64(bitPattern: PostgresBinary.bigEndian(value, width: 8))
        // PostgreSQL's -infinity and infinity: no instant to give.
        guard micros != Int64.min, micros != Int64.max else { return nil }
        // Microseconds from 2000-01-01; floor division keeps instants before it consistent.
        let millis = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        return millis + 946_684_800_000
    }

    /// A one-dimensional text array; NULL is an empty array.
    public func textArray(_ column: Int) -> [String] {
        guard !isNull(column) else { return [] }
        return isBinary(column) ? PostgresBinary.textArray(bytes(column)) : PostgresText.array(bytes(column))
    }

    /// A one-dimensional `text[]` in binary format whose NULL elements count (parallel arrays);
    /// NULL is an empty array.
    public func nullableTextArray(_ column: Int) -> [String?] {
        guard !isNull(column) else { return [] }
        precondition(isBinary(column), "nullableTextArray reads binary arrays only")
        return PostgresBinary.nullableTextArray(bytes(column))
    }

    /// A uuid column as a compact, hashable key (no String allocation).
    public func uuid(_ column: Int) -> UUIDKey? {
        guard !isNull(column) else { return nil }
        guard isBinary(column) else { return UUIDKey(text: bytes(column)) }
        let value = bytes(column)
        guard value.count == 16 else { return nil }
        return UUIDKey(
            high: PostgresBinary.bigEndian(value, width: 8),
            low: PostgresBinary.bigEndian(UnsafeBufferPointer(rebasing: value[8...]), width: 8))
    }
}

/// PostgreSQL's binary wire format for the types bulk reads use.
enum PostgresBinary {
    @inline(__always)
    static func bigEndian(_ bytes: UnsafeBufferPointer<UInt8>, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(bytes[i]) }
        return value
    }

    /// `array_send`'s layout: dimensions, NULL flag, element type, per dimension its length
    /// and lower bound, then each element as a length (-1 for NULL) and its bytes. `textArray`
    /// leaves NULL elements out, as the text reader does.
    static func textArray(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var values: [String] = []
        forEachElement(bytes) { element in
            if let element { values.append(String(decoding: element, as: UTF8.self)) }
        }
        return values
    }

    static func nullableTextArray(_ bytes: UnsafeBufferPointer<UInt8>) -> [String?] {
        var values: [String?] = []
        forEachElement(bytes) { element in values.append(element.map { String(decoding: $0, as: UTF8.self) }) }
        return values
    }

    /// Calls `body` with each element's bytes, nil for NULL; a malformed array ends early.
    private static func forEachElement(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>?) -> Void) {
        guard bytes.count >= 12 else { return }
        let dimensions = Int(Int32(bitPattern: UInt32(bigEndian(bytes, width: 4))))
        guard dimensions == 1, bytes.count >= 20 else { return }
        let count = Int(Int32(bitPattern: UInt32(bigEndian(UnsafeBufferPointer(rebasing: bytes[12...]), width: 4))))
        var offset = 20
        for _ in 0..<max(0, count) {
            guard offset + 4 <= bytes.count else { return }
            let length = Int(Int32(bitPattern: UInt32(bigEndian(UnsafeBufferPointer(rebasing: bytes[offset...]), width: 4))))
            offset += 4
            guard length >= 0 else {
                body(nil)
                continue
            }
            guard offset + length <= bytes.count else { return }
            body(UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]))
            offset += length
        }
    }
}

extension PostgresConnection {
    /// Runs one parameterized statement and hands its result to `body` without copying it.
    /// Meant for reads inside a transaction (a cursor's FETCH): no reconnect and retry.
    public func withRawResult<T>(
        _ sql: String, _ parameters: [String?] = [], _ body: (RawResult) throws -> T
    ) throws -> T {
        try flushPendingBegin()
        let result = sendParameterized(sql, parameters)
        defer { PQclear(result) }
        return try body(RawResult(result: try checkedResult(result)))
    }
}
