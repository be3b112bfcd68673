import CPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// A failure talking to PostgreSQL. `sqlState` is the five-character SQLSTATE when the server
/// reported one, which is how callers tell a unique violation from a broken connection.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case connection, query }
    public var kind: Kind
    public var sqlState: String?
    public var message: String
    /// The constraint a violation names, if any.
    public var constraint: String?

    public var description: String {
        "\(kind == .connection ? "database connection" : "database query") failed\(sqlState.map { " [\($0)]" } ?? ""): \(message)"
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    public var isInvalidText: Bool { sqlState == "22P02" }
}

/// One row of a result, addressed by column name (see RowDecoding.swift). Values arrive in
/// PostgreSQL's text format, which keeps parsing cheap and unambiguous.
public struct Row: Sendable {
    public let values: [String?]
    let columns: [String: Int]
}

public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [Row]
    /// Rows touched by INSERT/UPDATE/DELETE.
    public let affectedRows: Int

    public var first: Row? { rows.first }
}

/// A libpq connection. Not thread-safe: a Lambda process serves one invocation at a time and
/// owns exactly one.
public final class PostgresConnection {
    /// Internal rather than private so RawRows.swift can read results in place.
    private(set) var connection: OpaquePointer?
    public let url: String
    public private(set) var inTransaction = false
    /// A transaction was opened but no statement has run in it yet: its BEGIN travels with the
    /// first statement, in one round trip (see `pipelined`).
    private var beginPending = false
    /// The transaction's COMMIT already went with its last statement (`commit(afterPrepared:)`).
    private var committedEarly = false
    /// Statements prepared on this connection, by their SQL (see `query(prepared:)`).
    private var prepared: [String: String] = [:]
    /// Past this many, statements run unprepared rather than grow the session's memory.
    public static let preparedLimit = 256

    public init(url: String) throws(DatabaseError) {
        self.url = url
        try connect()
    }

    deinit { PQfinish(connection) }

    private func connect() throws(DatabaseError) {
        prepared.removeAll()
        PQfinish(connection)
        connection = PQconnectdb(url)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            throw DatabaseError(kind: .connection, message: message.trimmingTrailingNewlines())
        }
        // Client-side notices (e.g. "relation already exists, skipping") would go to stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    public var isHealthy: Bool { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Drops a connection left in a state no statement can use (a pipeline that would not
    /// end); the next statement connects afresh.
    func abandon() {
        PQfinish(connection)
        connection = nil
    }

    /// Runs one parameterized statement. Parameters are sent separately from the SQL text, so
    /// no value is ever spliced into it.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(DatabaseError) -> QueryResult {
        if !isHealthy { try connect() }
        do {
            return try execute(sql, parameters)
        } catch  where error.kind == .connection && !inTransaction {
            // The server may have restarted while this process sat idle; one fresh connection
            // and one retry covers that without hiding a real outage.
            try connect()
            return try execute(sql, parameters)
        }
    }

    /// Runs a statement that a process runs again and again (a hot endpoint's), prepared once
    /// per connection: PostgreSQL parses and plans it once, and after a few runs keeps a
    /// generic plan when that costs no more than planning each time. Parsing and planning were
    /// most of the server's work for the short statements of a busy orchestration. A generic
    /// plan also cannot be misled by a value the statistics have not seen yet (a run created a
    /// minute ago).
    @discardableResult
    public func query(prepared sql: String, _ parameters: [String?] = []) throws(DatabaseError) -> QueryResult {
        if !isHealthy { try connect() }
        if beginPending { return try pipelined(sql, parameters, prepared: true, commit: false) }
        do {
            return try executePrepared(sql, parameters)
        } catch  where error.kind == .connection && !inTransaction {
            try connect()
            return try executePrepared(sql, parameters)
        }
    }

    /// Runs the transaction's last statement (prepared, as `query(prepared:)`) and its COMMIT in
    /// one round trip. Nothing may run in the transaction after it: it has ended when this
    /// returns, and `transaction` does not commit again. On a hot path a round trip is a wake-up
    /// of both processes, and on a shared machine those are what queue.
    @discardableResult
    public func commit(afterPrepared sql: String, _ parameters: [String?] = []) throws(DatabaseError) -> QueryResult {
        guard inTransaction, !committedEarly else { return try query(prepared: sql, parameters) }
        if !isHealthy { try connect() }
        let result = try pipelined(sql, parameters, prepared: true, commit: true)
        committedEarly = true
        return result
    }

    /// One statement with the transaction's pending BEGIN before it, its COMMIT after it, or
    /// both, sent in libpq's pipeline mode and answered at one sync point. A statement that fails
    /// aborts the rest of the pipeline; its error is the one thrown.
    private func pipelined(_ sql: String, _ parameters: [String?], prepared usePrepared: Bool, commit: Bool) throws(DatabaseError)
        -> QueryResult
    {
        let begin = beginPending
        beginPending = false
        do {
            return try sendPipeline(sql, parameters, prepared: usePrepared, begin: begin, commit: commit)
        } catch  where begin && error.kind == .connection {
            // Nothing of the transaction reached the server: a connection that died while the
            // process sat idle is replaced, as a lone BEGIN would have been.
            try connect()
            return try sendPipeline(sql, parameters, prepared: usePrepared, begin: begin, commit: commit)
        }
    }

    private func sendPipeline(_ sql: String, _ parameters: [String?], prepared usePrepared: Bool, begin: Bool, commit: Bool)
        throws(DatabaseError) -> QueryResult
    {
        guard PQenterPipelineMode(connection) == 1 else { throw lastError() }
        var expected = 0
        var sent = true
        var preparing: (name: String, command: Int)?
        if begin {
            sent = sent && PQsendQueryParams(connection, "BEGIN", 0, nil, nil, nil, nil, 0) == 1
            expected += 1
        }
        var name: String?
        if usePrepared {
            if let known = prepared[sql] {
                name = known
            } else if prepared.count < Self.preparedLimit {
                let fresh = "verdict_\(prepared.count)"
                sent = sent && PQsendPrepare(connection, fresh, sql, Int32(parameters.count), nil) == 1
                preparing = (fresh, expected)
                expected += 1
                name = fresh
            }
        }
        sent =
            sent
            && withCParameters(parameters) { values in
                if let name {
                    PQsendQueryPrepared(connection, name, Int32(parameters.count), values, nil, nil, 0) == 1
                } else {
                    PQsendQueryParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0) == 1
                }
            }
        let statement = expected
        expected += 1
        if commit {
            sent = sent && PQsendQueryParams(connection, "COMMIT", 0, nil, nil, nil, nil, 0) == 1
            expected += 1
        }
        guard sent, PQpipelineSync(connection) == 1 else {
            let error = lastError()
            abandon()
            throw error
        }
        var failure: DatabaseError?
        var answer: QueryResult?
        for index in 0..<expected {
            guard let result = PQgetResult(connection) else {
                let error = lastError()
                abandon()
                throw error
            }
            // Each command's results end with a NULL.
            while let extra = PQgetResult(connection) { PQclear(extra) }
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED { continue }
            do {
                if index == statement { answer = try readResult(result) } else { _ = try checkedResult(result) }
                // A named statement outlives the transaction, even one the statement then aborts.
                if let preparing, index == preparing.command { prepared[sql] = preparing.name }
            } catch {
                if failure == nil { failure = error }
            }
        }
        // The sync point, then out of pipeline mode; a connection that cannot get there is
        // dropped rather than left in pipeline mode for the next statement.
        while true {
            guard let result = PQgetResult(connection) else {
                if PQstatus(connection) != CONNECTION_OK {
                    abandon()
                    throw failure ?? lastError()
                }
                continue
            }
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if PQexitPipelineMode(connection) != 1 { abandon() }
        if let failure { throw failure }
        guard let answer else { throw DatabaseError(kind: .query, message: "the pipeline returned no result for its statement") }
        return answer
    }

    private func executePrepared(_ sql: String, _ parameters: [String?]) throws(DatabaseError) -> QueryResult {
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            guard prepared.count < Self.preparedLimit else { return try execute(sql, parameters) }
            name = "verdict_\(prepared.count)"
            let made = PQprepare(connection, name, sql, Int32(parameters.count), nil)
            defer { PQclear(made) }
            _ = try checkedResult(made)
            prepared[sql] = name
        }
        let result = withCParameters(parameters) { values in
            PQexecPrepared(connection, name, Int32(parameters.count), values, nil, nil, 0)
        }
        defer { PQclear(result) }
        return try readResult(result)
    }

    /// Runs a script of several statements (a migration) through the simple query protocol,
    /// which is the only one that accepts more than one statement; it takes no parameters.
    public func runScript(_ sql: String) throws(DatabaseError) {
        if !isHealthy { try connect() }
        try flushPendingBegin()
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        _ = try readResult(result)
    }

    // MARK: COPY FROM STDIN (see CopyIn.swift)

    func beginCopy(_ sql: String) throws(DatabaseError) {
        if !isHealthy { try connect() }
        try flushPendingBegin()
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            _ = try readResult(result)
            throw DatabaseError(kind: .query, message: "COPY did not start")
        }
    }

    func putCopyData(_ bytes: [UInt8]) throws(DatabaseError) {
        let sent = bytes.withUnsafeBytes { send(copyData: $0) }
        guard sent else { throw lastError() }
    }

    func putCopyData(_ bytes: UnsafeRawBufferPointer) throws(DatabaseError) {
        guard send(copyData: bytes) else { throw lastError() }
    }

    private func send(copyData bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        return PQputCopyData(connection, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count)) == 1
    }

    /// Ends the COPY and reads the server's verdict on it (a constraint violation shows up here).
    func endCopy() throws(DatabaseError) {
        guard PQputCopyEnd(connection, nil) == 1 else { throw lastError() }
        try drainResults()
    }

    /// Ends the COPY so that the server throws its rows away; the connection stays usable.
    func endCopy(abortingWith reason: String) {
        _ = PQputCopyEnd(connection, reason)
        _ = try? drainResults()
    }

    private func drainResults() throws(DatabaseError) {
        var failure: DatabaseError?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            if failure == nil {
                do { _ = try readResult(result) } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// The connection's own error message, for calls that produced no result to read one from.
    func lastError() -> DatabaseError {
        DatabaseError(
            kind: isHealthy ? .query : .connection, message: String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines())
    }

    private func execute(_ sql: String, _ parameters: [String?]) throws(DatabaseError) -> QueryResult {
        if beginPending { return try pipelined(sql, parameters, prepared: false, commit: false) }
        let result = sendParameterized(sql, parameters)
        defer { PQclear(result) }
        return try readResult(result)
    }

    /// Sends the transaction's BEGIN on its own, for the few paths that talk to libpq directly
    /// (COPY, scripts, cursors read in pipeline mode).
    func flushPendingBegin() throws(DatabaseError) {
        guard beginPending else { return }
        beginPending = false
        let result = PQexec(connection, "BEGIN")
        defer { PQclear(result) }
        _ = try checkedResult(result)
    }

    /// PQexecParams with text parameters; the caller owns (and clears) the result.
    func sendParameterized(_ sql: String, _ parameters: [String?]) -> OpaquePointer? {
        withCParameters(parameters) { values in PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0) }
    }

    /// The parameters as the C strings libpq reads (nil for SQL NULL; no array when there are none).
    private func withCParameters<R>(_ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let cParameters: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in cParameters { free(pointer) } }
        return cParameters.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) { values in
                body(parameters.isEmpty ? nil : values)
            }
        }
    }

    /// The result itself when the statement succeeded, else the error it (or the connection) reports.
    func checkedResult(_ result: OpaquePointer?) throws(DatabaseError) -> OpaquePointer {
        guard let result else { throw lastError() }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return result
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let constraint = PQresultErrorField(result, Int32(UInt8(ascii: "n"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines()
            throw DatabaseError(kind: isHealthy ? .query : .connection, sqlState: state, message: message, constraint: constraint)
        }
    }

    private func readResult(_ result: OpaquePointer?) throws(DatabaseError) -> QueryResult {
        let result = try checkedResult(result)
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        var columnIndex: [String: Int] = [:]
        for c in 0..<columnCount {
            let name = String(cString: PQfname(result, Int32(c)))
            columns.append(name)
            columnIndex[name] = c
        }
        let rowCount = Int(PQntuples(result))
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
            rows.append(Row(values: values, columns: columnIndex))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, rows: rows, affectedRows: affected)
    }

    /// Runs `body` inside BEGIN … COMMIT; any thrown error rolls the whole unit back, so a
    /// failed request never leaves a partial write behind.
    ///
    /// BEGIN is not sent on its own: it goes with the body's first statement, and a body that
    /// runs none costs no round trip at all.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if !isHealthy { try connect() }
        inTransaction = true
        beginPending = true
        committedEarly = false
        do {
            let value = try body()
            let begun = !beginPending
            beginPending = false
            inTransaction = false
            if begun && !committedEarly { try query("COMMIT") }
            return value
        } catch {
            let open = !beginPending && !committedEarly
            beginPending = false
            inTransaction = false
            if open { _ = try? execute("ROLLBACK", []) }
            throw error
        }
    }
}

enum PostgresArray {
    /// Parses PostgreSQL's text form of a one-dimensional array (`{a,"b c",NULL}`).
    static func parse(_ literal: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for character in literal.dropFirst().dropLast() {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                wasQuoted = true
            } else if character == "," && !quoted {
                if wasQuoted || current != "NULL" { items.append(current) }
                current = ""
                wasQuoted = false
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty || wasQuoted { items.append(current) }
        return items
    }

    /// Writes an array literal suitable for a `text[]` parameter.
    public static func literal(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}

/// Array literals of numbers for `unnest`-style bulk statements (a non-finite value is sent
/// as 0: no column these fill accepts NaN or infinity).
public func postgresNumberArray(_ values: [Double]) -> String {
    "{" + values.map { $0.isFinite ? ($0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : "\($0)") : "0" }.joined(separator: ",")
        + "}"
}

public func postgresNumberArray(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ",") + "}" }
public func postgresNumberArray(_ values: [Int64]) -> String { "{" + values.map(String.init).joined(separator: ",") + "}" }

public func postgresTextArray(_ items: [String]) -> String { PostgresArray.literal(items) }

/// A `text[]` literal whose nil items are SQL NULLs.
public func postgresNullableTextArray(_ items: [String?]) -> String {
    "{" + items.map { $0.map { PostgresArray.literal([$0]).dropFirst().dropLast() } ?? "NULL" }.joined(separator: ",") + "}"
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var copy = self
        while copy.last?.isNewline == true || copy.last == " " { copy.removeLast() }
        return copy
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
