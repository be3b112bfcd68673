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
///
/// A class over one malloc'd buffer rather than a struct over `[UInt8]`: every field is a
/// length and a value, and an array append checks uniqueness and capacity each time, two or
/// three times per field of every row. Here a field is one capacity check and plain stores.
public final class CopyRows {
    // Unchecked: a class's stored properties are otherwise guarded by dynamic exclusivity
    // checks on every access, several per field written. Nothing here hands out a reference
    // to them, so no access can overlap another.
    @exclusivity(unchecked) private var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) public private(set) var count = 0
    @exclusivity(unchecked) public private(set) var rowCount = 0
    public let columnCount: Int
    @exclusivity(unchecked) private var fieldsInRow = 0

    public init(columns: Int, reservingCapacity capacity: Int = 0) {
        columnCount = columns
        self.capacity = max(capacity, 256)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    public var isEmpty: Bool { rowCount == 0 }

    /// A copy of what has been written.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The stream header and trailer around a COPY's rows.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    static let trailer: [UInt8] = [0xFF, 0xFF]

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Stores without a capacity check: callers reserve first.
    @inline(__always)
    private func put<T: FixedWidthInteger>(_ value: T) {
        base.storeBytes(of: value.bigEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    @inline(__always)
    private func put(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Starts a field of `length` bytes (-1: NULL) and makes room for its value.
    @inline(__always)
    private func field(length: Int) {
        reserve(6 + max(length, 0))
        countField()
        put(Int32(length))
    }

    /// A row opens with its field count; room for it is reserved by the caller.
    @inline(__always)
    private func countField() {
        if fieldsInRow == 0 { put(Int16(columnCount)) }
        fieldsInRow += 1
    }

    public func null() { field(length: -1) }

    /// A `text` value. NUL, which PostgreSQL text cannot hold, is dropped.
    public func text(_ value: String?) {
        guard var value else { return null() }
        value.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            guard Self.hasNUL(raw) else {
                field(length: raw.count)
                put(raw)
                return
            }
            field(length: Self.lengthWithoutNUL(raw))
            putWithoutNUL(raw)
        }
    }

    /// A `uuid` value.
    public func uuid(_ value: UUIDKey?) {
        guard let value else { return null() }
        field(length: 16)
        put(value.high)
        put(value.low)
    }

    /// An `integer` (int4) value.
    public func int32(_ value: Int?) {
        guard let value else { return null() }
        field(length: 4)
        put(Int32(clamping: value))
    }

    /// A `bigint` value.
    public func int64(_ value: Int64?) {
        guard let value else { return null() }
        field(length: 8)
        put(value)
    }

    /// A `double precision` value; NaN and infinities are stored as NULL.
    public func double(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        field(length: 8)
        put(value.bitPattern)
    }

    /// A `timestamptz` given as Unix milliseconds; instants outside years 1–9999 are NULL
    /// (no tool means them, and PostgreSQL would refuse some).
    public func timestamp(epochMilliseconds value: Int64?) {
        guard let value, value >= -62_135_596_800_000, value <= 253_402_300_799_999 else { return null() }
        field(length: 8)
        // PostgreSQL counts microseconds from 2000-01-01T00:00:00Z.
        put((value - 946_684_800_000) * 1000)
    }

    /// A one-dimensional `text[]` value.
    public func textArray(_ values: [String]) { appendTextArray(values) { $0 } }

    /// A one-dimensional `text[]` value whose elements may be NULL.
    public func textArray(_ values: [String?]) { appendTextArray(values) { $0 } }

    /// Generic over the element so that neither overload maps its array first (suite paths are
    /// written once per case).
    @inline(__always)
    private func appendTextArray<Element>(_ values: [Element], _ text: (Element) -> String?) {
        var length = (values.isEmpty ? 12 : 20) + 4 * values.count
        var hasNulls = false
        for value in values {
            if var value = text(value) {
                length += value.withUTF8 { Self.lengthWithoutNUL(UnsafeRawBufferPointer($0)) }
            } else {
                hasNulls = true
            }
        }
        field(length: length)
        put(Int32(values.isEmpty ? 0 : 1))  // dimensions
        put(Int32(hasNulls ? 1 : 0))
        put(Int32(25))  // element type: text
        if !values.isEmpty {
            put(Int32(values.count))
            put(Int32(1))  // lower bound
        }
        for value in values {
            guard var value = text(value) else {
                put(Int32(-1))
                continue
            }
            value.withUTF8 { utf8 in
                let raw = UnsafeRawBufferPointer(utf8)
                put(Int32(Self.lengthWithoutNUL(raw)))
                putWithoutNUL(raw)
            }
        }
    }

    /// A field written before, as `encodedField(_:)` returned it, appended again as it is:
    /// for values most rows repeat (a suite path is the same for every case of its suite).
    public func field(encoded: [UInt8]) {
        reserve(2 + encoded.count)
        countField()
        encoded.withUnsafeBytes { put($0) }
    }

    /// The bytes of the one field `write` appends (its length and value), to replay with
    /// `field(encoded:)`.
    public static func encodedField(_ write: (CopyRows) -> Void) -> [UInt8] {
        let scratch = CopyRows(columns: 1)
        write(scratch)
        precondition(scratch.fieldsInRow == 1, "an encoded field is one field")
        return scratch.withBytes { Array($0.dropFirst(2)) }
    }

    /// A `jsonb` value from its JSON text (version 1 of jsonb's binary input is the text).
    public func jsonb(_ json: [UInt8]?) {
        guard let json else { return null() }
        field(length: json.count + 1)
        put(UInt8(1))
        json.withUnsafeBytes { put($0) }
    }

    public func endRow() {
        precondition(fieldsInRow == columnCount, "COPY row has \(fieldsInRow) fields for \(columnCount) columns")
        rowCount += 1
        fieldsInRow = 0
    }

    public func removeAll() {
        count = 0
        rowCount = 0
        fieldsInRow = 0
    }

    /// Whether `text` is stored as other bytes than it has: PostgreSQL's text cannot hold NUL,
    /// so `text` and `textArray` leave it out. Code that must agree with a stored value (what
    /// SQL derives from it, a hash recomputed from it) asks this, or `storedText`.
    public static func storesDifferently(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { hasNUL(UnsafeRawBufferPointer($0)) }
    }

    /// `text` as a text column stores it.
    public static func storedText(_ text: String) -> String {
        storesDifferently(text) ? String(decoding: text.utf8.filter { $0 != 0 }, as: UTF8.self) : text
    }

    @inline(__always)
    private static func hasNUL(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, 0, bytes.count) != nil
    }

    private static func lengthWithoutNUL(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard hasNUL(bytes) else { return bytes.count }
        return bytes.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
    }

    /// Room for `bytes` has been reserved by the field's header.
    private func putWithoutNUL(_ bytes: UnsafeRawBufferPointer) {
        guard Self.hasNUL(bytes) else { return put(bytes) }
        for byte in bytes where byte != 0 { put(byte) }
    }
}

/// An open `COPY … FROM STDIN`. Rows are sent whenever the buffer passes a threshold, so the
/// server inserts while the caller is still producing rows.
public final class CopyIn {
    private let connection: PostgresConnection
    public let rows: CopyRows
    public private(set) var rowsSent = 0
    static let flushThreshold = 512 * 1024

    init(connection: PostgresConnection, columns: Int) {
        self.connection = connection
        rows = CopyRows(columns: columns, reservingCapacity: CopyIn.flushThreshold + 64 * 1024)
    }

    /// Appends one row through `fill` and ships the buffer when it is full enough.
    public func row(_ fill: (CopyRows) -> Void) throws(DatabaseError) {
        fill(rows)
        rows.endRow()
        if rows.count >= Self.flushThreshold { try flush() }
    }

    /// Appends rows prepared elsewhere (a table buffered while another COPY was open).
    public func append(_ prepared: CopyRows) throws(DatabaseError) {
        precondition(prepared.columnCount == rows.columnCount, "rows prepared for another table")
        try flush()
        try prepared.withBytes { bytes throws(DatabaseError) in try connection.putCopyData(bytes) }
        rowsSent += prepared.rowCount
    }

    func flush() throws(DatabaseError) {
        guard rows.count > 0 else { return }
        try rows.withBytes { bytes throws(DatabaseError) in try connection.putCopyData(bytes) }
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
