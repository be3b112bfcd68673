import CPostgres

extension PostgresConnection {
    /// Reads a cursor batch by batch, asking for the next batch before handing over the
    /// current one, so PostgreSQL produces rows while the caller digests the previous ones
    /// (on a big read this hides most of the server's time). Stops after a short batch.
    /// - Parameters:
    ///   - fetch: the statement that reads one batch, e.g. `FETCH 10000 FROM c`.
    ///   - binary: rows in binary format rather than text (see `RawRow`).
    public func forEachBatch(fetch: String, batchSize: Int, binary: Bool = false, _ body: (RawResult) throws -> Void) throws {
        try send(fetch, binary: binary)
        var pending = true
        // Whatever happens, the connection must not be left with a batch in flight: the
        // transaction's ROLLBACK or COMMIT comes next.
        defer { if pending { discardPendingResults() } }
        while true {
            let result = try receive()
            pending = false
            defer { PQclear(result) }
            let raw = RawResult(result: result)
            let full = raw.rowCount >= batchSize
            if full {
                try send(fetch, binary: binary)
                pending = true
            }
            try body(raw)
            if !full { return }
        }
    }

    private func send(_ sql: String, binary: Bool) throws(DatabaseError) {
        guard PQsendQueryParams(connection, sql, 0, nil, nil, nil, nil, binary ? 1 : 0) == 1 else {
            throw lastError()
        }
    }

    /// The sent statement's result (checked), once the connection is free for the next one.
    private func receive() throws(DatabaseError) -> OpaquePointer {
        var first: OpaquePointer?
        while let result = PQgetResult(connection) {
            if first == nil { first = result } else { PQclear(result) }
        }
        guard let first else {
            throw lastError()
        }
        do {
            _ = try checkedResult(first)
        } catch {
            PQclear(first)
            throw error
        }
        return first
    }

    private func discardPendingResults() {
        while let result = PQgetResult(connection) { PQclear(result) }
    }
}
