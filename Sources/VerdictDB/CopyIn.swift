import CPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// Rows for `COPY … FROM STDIN (FORMAT binary)`, built straight into a byte buffer: ingest
/// writes 100,000s of rows per report and must not allocate per field. In the binary format the
/// server reads each value by its length and type instead of scanning and parsing text (no
/// escapes, no uuid/number/timestamp/array parsing), which halves what a COPY costs it.
///
/// Fields are appended in column order, each with the column's exact type (`int32` for
/// `integer`, `timestamp` for `timestamptz`, …); `endRow()` closes a row.
public struct CopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    public let columnCount: Int
    private var fieldsInRow = 0

    public init(columns: Int, reservingCapacity capacity: Int = 0) {
        columnCount = columns
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { rowCount == 0 }

    /// The stream header and trailer around a COPY's rows.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    static let trailer: [UInt8] = [0xFF, 0xFF]

    @inline(__always)
    private mutating func field(length: Int) {
        if fieldsInRow == 0 { appendBigEndian(Int16(columnCount)) }
        fieldsInRow += 1
        appendBigEndian(Int32(length))
    }

    /// As typed bytes: appending an `UnsafeRawBufferPointer` takes a generic path per field,
    /// an `UnsafeBufferPointer<UInt8>` is one copy.
    @inline(__always)
    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { raw in bytes.append(contentsOf: raw.assumingMemoryBound(to: UInt8.self)) }
    }

    public mutating func null() { field(length: -1) }

    /// A `text` value. NUL, which PostgreSQL text cannot hold, is dropped.
    public mutating func text(_ value: String?) {
        guard var value else { return null() }
        value.withUTF8 { appendText($0) }
    }

    /// A `uuid` value.
    public mutating func uuid(_ value: UUIDKey?) {
        guard let value else { return null() }
        field(length: 16)
        appendBigEndian(value.high)
        appendBigEndian(value.low)
    }

    /// An `integer` (int4) value.
    public mutating func int32(_ value: Int?) {
        guard let value else { return null() }
        field(length: 4)
        appendBigEndian(Int32(clamping: value))
    }

    /// A `bigint` value.
    public mutating func int64(_ value: Int64?) {
        guard let value else { return null() }
        field(length: 8)
        appendBigEndian(value)
    }

    /// A `double precision` value; NaN and infinities are stored as NULL.
    public mutating func double(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        field(length: 8)
        appendBigEndian(value.bitPattern)
    }

    /// A `timestamptz` given as Unix milliseconds; instants outside years 1–9999 are NULL
    /// (no tool means them, and PostgreSQL would refuse some).
    public mutating func timestamp(epochMilliseconds value: Int64?) {
        guard let value, value >= -62_135_596_800_000, value <= 253_402_300_799_999 else { return null() }
        field(length: 8)
        // PostgreSQL counts microseconds from 2000-01-01T00:00:00Z.
        appendBigEndian((value - 946_684_800_000) * 1000)
    }

    /// A one-dimensional `text[]` value.
    public mutating func textArray(_ values: [String]) { appendTextArray(values) { $0 } }

    /// A one-dimensional `text[]` value whose elements may be NULL.
    public mutating func textArray(_ values: [String?]) { appendTextArray(values) { $0 } }

    /// Generic over the element so that neither overload maps its array first (suite paths are
    /// written once per case).
    @inline(__always)
    private mutating func appendTextArray<Element>(_ values: [Element], _ text: (Element) -> String?) {
        var length = Self.arrayHeaderLength(count: values.count) + 4 * values.count
        var hasNulls = false
        for value in values {
            if var value = text(value) { length += value.withUTF8 { Self.textLength($0) } } else { hasNulls = true }
        }
        field(length: length)
        appendArrayHeader(count: values.count, hasNulls: hasNulls)
        for value in values {
            guard var value = text(value) else {
                appendBigEndian(Int32(-1))
                continue
            }
            value.withUTF8 { appendElement($0) }
        }
    }

    private static func arrayHeaderLength(count: Int) -> Int { count == 0 ? 12 : 20 }

    private mutating func appendArrayHeader(count: Int, hasNulls: Bool) {
        appendBigEndian(Int32(count == 0 ? 0 : 1))  // dimensions
        appendBigEndian(Int32(hasNulls ? 1 : 0))
        appendBigEndian(Int32(25))  // element type: text
        guard count > 0 else { return }
        appendBigEndian(Int32(count))
        appendBigEndian(Int32(1))  // lower bound
    }

    private mutating func appendElement(_ utf8: UnsafeBufferPointer<UInt8>) {
        appendBigEndian(Int32(Self.textLength(utf8)))
        appendWithoutNUL(utf8)
    }

    /// A `jsonb` value from its JSON text (version 1 of jsonb's binary input is the text).
    public mutating func jsonb(_ json: [UInt8]?) {
        guard let json else { return null() }
        field(length: json.count + 1)
        bytes.append(1)
        bytes.append(contentsOf: json)
    }

    public mutating func endRow() {
        precondition(fieldsInRow == columnCount, "COPY row has \(fieldsInRow) fields for \(columnCount) columns")
        rowCount += 1
        fieldsInRow = 0
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        fieldsInRow = 0
    }

    private mutating func appendText(_ utf8: UnsafeBufferPointer<UInt8>) {
        field(length: Self.textLength(utf8))
        appendWithoutNUL(utf8)
    }

    private static func textLength(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = utf8.baseAddress, memchr(base, 0, utf8.count) != nil else { return utf8.count }
        return utf8.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
    }

    private mutating func appendWithoutNUL(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let base = utf8.baseAddress, memchr(base, 0, utf8.count) != nil else {
            bytes.append(contentsOf: utf8)
            return
        }
        for byte in utf8 where byte != 0 { bytes.append(byte) }
    }
}

/// An open `COPY … FROM STDIN`. Rows are sent whenever the buffer passes a threshold, so the
/// server inserts while the caller is still producing rows.
public final class CopyIn {
    private let connection: PostgresConnection
    public private(set) var rows: CopyRows
    public private(set) var rowsSent = 0
    static let flushThreshold = 512 * 1024

    init(connection: PostgresConnection, columns: Int) {
        self.connection = connection
        rows = CopyRows(columns: columns, reservingCapacity: CopyIn.flushThreshold + 64 * 1024)
    }

    /// Appends one row through `fill` and ships the buffer when it is full enough.
    public func row(_ fill: (inout CopyRows) -> Void) throws(DatabaseError) {
        fill(&rows)
        rows.endRow()
        if rows.bytes.count >= Self.flushThreshold { try flush() }
    }

    /// Appends rows prepared elsewhere (a table buffered while another COPY was open).
    public func append(_ prepared: CopyRows) throws(DatabaseError) {
        precondition(prepared.columnCount == rows.columnCount, "rows prepared for another table")
        try flush()
        try connection.putCopyData(prepared.bytes)
        rowsSent += prepared.rowCount
    }

    func flush() throws(DatabaseError) {
        guard !rows.bytes.isEmpty else { return }
        try connection.putCopyData(rows.bytes)
        rowsSent += rows.rowCount
        rows.removeAll()
    }
}

extension PostgresConnection {
    /// Streams rows into `table` with COPY. If `body` throws, the COPY is aborted (the server
    /// discards every row of it) and the error is rethrown; use it inside `transaction` so a
    /// failure leaves nothing behind.
    @discardableResult
    public func copy(into table: String, columns: [String], _ body: (CopyIn) throws -> Void) throws -> Int {
        try beginCopy("COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)")
        let copy = CopyIn(connection: self, columns: columns.count)
        do {
            try putCopyData(CopyRows.header)
            try body(copy)
            try copy.flush()
            try putCopyData(CopyRows.trailer)
        } catch {
            endCopy(abortingWith: "\(error)")
            throw error
        }
        try endCopy()
        return copy.rowsSent
    }

    /// Copies rows prepared in full beforehand.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: CopyRows) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        return try copy(into: table, columns: columns) { try $0.append(rows) }
    }
}
