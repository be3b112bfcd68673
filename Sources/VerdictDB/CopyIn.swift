import CPostgres

/// Rows for `COPY … FROM STDIN` in PostgreSQL's text format, built straight into a byte buffer:
/// ingest writes 100,000s of rows per report and must not allocate per field.
///
/// Fields are appended in column order; `endRow()` closes a row. Values are escaped as COPY
/// requires (backslash, tab, newline, carriage return); NUL, which PostgreSQL text cannot hold,
/// is dropped.
public struct CopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    private var atRowStart = true

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var isEmpty: Bool { rowCount == 0 }

    private mutating func separate() {
        if atRowStart { atRowStart = false } else { bytes.append(UInt8(ascii: "\t")) }
    }

    public mutating func null() {
        separate()
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "N"))
    }

    public mutating func text(_ value: String?) {
        guard var value else { return null() }
        separate()
        value.withUTF8 { appendEscaped($0) }
    }

    /// A value already known to need no escaping (UUIDs, numbers, enum words).
    public mutating func raw(_ value: String) {
        separate()
        bytes.append(contentsOf: value.utf8)
    }

    public mutating func int(_ value: Int?) {
        guard let value else { return null() }
        raw(String(value))
    }

    public mutating func double(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        raw(value.description)
    }

    /// A `text[]` value.
    public mutating func textArray(_ values: [String]) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            // Array quoting first (`"` and `\` get a backslash), then COPY's own escaping of that.
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { appendEscapedByte(UInt8(ascii: "\\")) }
                appendEscapedByte(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rowCount += 1
        atRowStart = true
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        atRowStart = true
    }

    /// Copies runs of ordinary bytes at once: most values have nothing to escape at all.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for (i, byte) in utf8.enumerated() where byte <= UInt8(ascii: "\r") || byte == UInt8(ascii: "\\") {
            guard
                byte == 0 || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                    || byte == UInt8(ascii: "\\")
            else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            appendEscapedByte(byte)
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    @inline(__always)
    private mutating func appendEscapedByte(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\\"): bytes.append(byte); bytes.append(byte)
        case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
        case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
        case 0: break
        default: bytes.append(byte)
        }
    }
}

/// An open `COPY … FROM STDIN`. Rows are sent whenever the buffer passes a threshold, so the
/// server inserts while the caller is still producing rows.
public final class CopyIn {
    private let connection: PostgresConnection
    public private(set) var rows = CopyRows(reservingCapacity: CopyIn.flushThreshold + 64 * 1024)
    public private(set) var rowsSent = 0
    static let flushThreshold = 512 * 1024

    init(connection: PostgresConnection) { self.connection = connection }

    /// Appends one row through `fill` and ships the buffer when it is full enough.
    public func row(_ fill: (inout CopyRows) -> Void) throws(DatabaseError) {
        fill(&rows)
        rows.endRow()
        if rows.bytes.count >= Self.flushThreshold { try flush() }
    }

    /// Appends rows prepared elsewhere (a table buffered while another COPY was open).
    public func append(_ prepared: CopyRows) throws(DatabaseError) {
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
        try beginCopy("COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN")
        let copy = CopyIn(connection: self)
        do {
            try body(copy)
            try copy.flush()
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
