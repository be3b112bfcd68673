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
public struct RawRow {
    let result: OpaquePointer
    let row: Int32

    public func isNull(_ column: Int) -> Bool { PQgetisnull(result, row, Int32(column)) == 1 }

    /// The value's text bytes (empty for NULL); libpq keeps them NUL-terminated.
    public func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        let length = Int(PQgetlength(result, row, Int32(column)))
        let pointer = UnsafeRawPointer(PQgetvalue(result, row, Int32(column))!).assumingMemoryBound(to: UInt8.self)
        return UnsafeBufferPointer(start: pointer, count: length)
    }

    public func string(_ column: Int) -> String? {
        isNull(column) ? nil : String(decoding: bytes(column), as: UTF8.self)
    }

    public func int64(_ column: Int) -> Int64? {
        isNull(column) ? nil : PostgresText.int64(bytes(column))
    }

    public func int(_ column: Int) -> Int? { int64(column).map { Int($0) } }

    public func double(_ column: Int) -> Double? {
        // PostgreSQL's float8 text (shortest round trip, "Infinity", "NaN") is what strtod reads.
        isNull(column) ? nil : strtod(PQgetvalue(result, row, Int32(column)), nil)
    }

    /// A one-dimensional text array (`{a,"b c"}`); NULL is an empty array.
    public func textArray(_ column: Int) -> [String] {
        isNull(column) ? [] : PostgresText.array(bytes(column))
    }

    /// A uuid column as a compact, hashable key (no String allocation).
    public func uuid(_ column: Int) -> UUIDKey? {
        isNull(column) ? nil : UUIDKey(text: bytes(column))
    }
}

extension PostgresConnection {
    /// Runs one parameterized statement and hands its result to `body` without copying it.
    /// Meant for reads inside a transaction (a cursor's FETCH): no reconnect and retry.
    public func withRawResult<T>(
        _ sql: String, _ parameters: [String?] = [], _ body: (RawResult) throws -> T
    ) throws -> T {
        let result = sendParameterized(sql, parameters)
        defer { PQclear(result) }
        return try body(RawResult(result: try checkedResult(result)))
    }
}
