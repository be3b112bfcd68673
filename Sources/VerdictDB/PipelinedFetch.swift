import CPostgres

/// Cursors of one transaction read batch by batch over one connection in libpq's pipeline
/// mode: each cursor's next batch is asked for before the caller needs it, so PostgreSQL
/// produces batches while the caller digests earlier ones (on a big read this hides most of
/// the server's time). Streams consumed side by side, a run's cases and their attempts, each
/// keep one batch coming; results arrive in the order asked, and one that arrives for another
/// cursor than the one being read is kept until that cursor asks.
public final class BatchedCursors {
    private struct Cursor {
        let name: String
        let batchSize: Int
        /// The size of the fetch in flight or last received: a smaller first batch gets a
        /// reader going sooner.
        var requested: Int
        /// A batch received ahead of being asked for.
        var ready: OpaquePointer?
        /// The batch last handed over; cleared when the next one is.
        var current: OpaquePointer?
        var queued = false
        /// A batch came back short: nothing comes after it.
        var exhausted = false
    }

    private let db: PostgresConnection
    private let binary: Bool
    private var cursors: [Cursor] = []
    /// Cursors whose fetches are in flight, in the order their results will arrive.
    private var queue: [Int] = []
    private var pipelining = false

    /// - Parameter binary: rows in binary format rather than text (see `RawRow`).
    public init(db: PostgresConnection, binary: Bool) {
        self.db = db
        self.binary = binary
    }

    deinit { close() }

    /// Registers a cursor, already declared, read `batchSize` rows at a time after a first
    /// batch of `firstBatchSize` (by default a whole one). Returns its number for `next`.
    public func add(cursor name: String, batchSize: Int, firstBatchSize: Int? = nil) -> Int {
        cursors.append(Cursor(name: name, batchSize: batchSize, requested: firstBatchSize ?? batchSize))
        return cursors.count - 1
    }

    /// The cursor's next batch, valid until the next call for the same cursor or `close`; nil
    /// after the last one.
    public func next(_ index: Int) throws(DatabaseError) -> RawResult? {
        if !pipelining {
            try db.flushPendingBegin()
            guard PQenterPipelineMode(db.connection) == 1 else { throw db.lastError() }
            pipelining = true
        }
        if let old = cursors[index].current {
            PQclear(old)
            cursors[index].current = nil
        }
        var result = cursors[index].ready
        cursors[index].ready = nil
        if result == nil {
            if !cursors[index].queued {
                guard !cursors[index].exhausted else { return nil }
                try send(index)
            }
            // Every cursor's first batch is asked for at once, so none waits for another's.
            try askAhead()
            while result == nil {
                let (arrived, batch) = try receive()
                if arrived == index { result = batch } else { cursors[arrived].ready = batch }
            }
        }
        let raw = RawResult(result: result!)
        cursors[index].current = result
        if raw.rowCount < cursors[index].requested { cursors[index].exhausted = true }
        cursors[index].requested = cursors[index].batchSize
        try askAhead()
        return raw
    }

    /// Keeps one fetch coming for every cursor that has nothing waiting.
    private func askAhead() throws(DatabaseError) {
        for index in cursors.indices where !cursors[index].queued && cursors[index].ready == nil && !cursors[index].exhausted {
            try send(index)
        }
    }

    /// Drops whatever is waiting or in flight and leaves pipeline mode: the transaction's
    /// ROLLBACK or COMMIT comes next.
    public func close() {
        for index in cursors.indices {
            if let ready = cursors[index].ready { PQclear(ready) }
            if let current = cursors[index].current { PQclear(current) }
            cursors[index].ready = nil
            cursors[index].current = nil
            cursors[index].queued = false
        }
        queue.removeAll()
        guard pipelining else { return }
        pipelining = false
        // Everything up to a sync point, then out of pipeline mode; a connection that cannot
        // get there is dropped rather than left in pipeline mode for the next statement.
        guard PQpipelineSync(db.connection) == 1 else { return db.abandon() }
        while true {
            guard let result = PQgetResult(db.connection) else {
                if PQstatus(db.connection) != CONNECTION_OK { return db.abandon() }
                continue
            }
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if PQexitPipelineMode(db.connection) != 1 { db.abandon() }
    }

    private func send(_ index: Int) throws(DatabaseError) {
        let fetch = "FETCH \(cursors[index].requested) FROM \(cursors[index].name)"
        guard PQsendQueryParams(db.connection, fetch, 0, nil, nil, nil, nil, binary ? 1 : 0) == 1,
            PQsendFlushRequest(db.connection) == 1, PQflush(db.connection) >= 0
        else { throw db.lastError() }
        cursors[index].queued = true
        queue.append(index)
    }

    /// The oldest fetch in flight: its cursor and its (checked) rows.
    private func receive() throws(DatabaseError) -> (Int, OpaquePointer) {
        let index = queue.removeFirst()
        cursors[index].queued = false
        guard let result = PQgetResult(db.connection) else { throw db.lastError() }
        // Each statement's results end with a NULL.
        while let extra = PQgetResult(db.connection) { PQclear(extra) }
        do {
            _ = try db.checkedResult(result)
        } catch {
            PQclear(result)
            throw error
        }
        return (index, result)
    }
}

extension PostgresConnection {
    /// Reads one cursor batch by batch (see `BatchedCursors`), handing each batch to `body`.
    public func forEachBatch(cursor name: String, batchSize: Int, binary: Bool = false, _ body: (RawResult) throws -> Void) throws {
        let cursors = BatchedCursors(db: self, binary: binary)
        defer { cursors.close() }
        let cursor = cursors.add(cursor: name, batchSize: batchSize)
        while let batch = try cursors.next(cursor) { try body(batch) }
    }
}
