import HTTPContract
import VerdictDB
import VerdictJSON

/// What a push to one WebSocket connection came to.
public enum LiveDelivery: Sendable, Equatable {
    case sent
    /// The client has left (API Gateway's 410): the connection is forgotten.
    case gone
}

/// Pushes a message to one connection: API Gateway's `@connections` API on AWS, the emulator's
/// locally; a test's own sender in process.
public protocol LiveSender {
    func send(_ message: [UInt8], to connectionID: String) throws -> LiveDelivery
}

/// The kinds of live event, as clients see them in `type`.
public enum LiveEventType: String, Sendable, CaseIterable {
    case runCreated = "run.created"
    case reportRegistered = "report.registered"
    case reportProgress = "report.progress"
    case reportCompleted = "report.completed"
    case runCompleted = "run.completed"
    case runIncomplete = "run.incomplete"
    case unitLeased = "orchestration.unit.leased"
    case unitCompleted = "orchestration.unit.completed"
    case leaseExpired = "orchestration.lease.expired"
    case orchestrationCompleted = "orchestration.run.completed"
    case orchestrationTimedOut = "orchestration.run.timed_out"
    case orchestrationCancelled = "orchestration.run.cancelled"
}

/// The clients following one run (directly or through its project), and the run as it stands:
/// what every event about it carries.
public struct LiveAudience {
    public let runID: RunID
    let connections: [String]
    let run: JSON

    public var isEmpty: Bool { connections.isEmpty }
}

/// Live events: each is sent, by the function that caused it, to every connection that follows
/// its run or the run's project, with the run's current status and totals. A connection found
/// gone is dropped. Sending is best effort: a client that misses an event catches up from the
/// page it re-reads, so a failed push never fails the upload that caused it.
public struct LiveEvents {
    let db: PostgresConnection
    let sender: LiveSender

    public init(db: PostgresConnection, sender: LiveSender) {
        self.db = db
        self.sender = sender
    }

    /// Who follows the run, read once (a large ingest sends its progress from inside a COPY,
    /// when the connection can run no other statement).
    public func audience(of runID: RunID) throws -> LiveAudience {
        let connections = try db.query(
            """
            SELECT DISTINCT s.connection_id FROM live_subscriptions s
            WHERE s.run_id = $1 OR s.project_id = (SELECT project_id FROM runs WHERE id = $1)
            """, [runID.text]
        ).rows.map { try $0.decode("connection_id", as: String.self) }
        guard !connections.isEmpty,
            let row = try db.query(
                """
                SELECT r.id, r.status, r.tests, r.passed, r.failed, r.skipped, r.errors, r.flaky, r.reports_completed,
                       r.total_reports_expected, r.project_id
                FROM runs r WHERE r.id = $1
                """, [runID.text]
            ).first
        else { return LiveAudience(runID: runID, connections: [], run: .null) }
        let run: JSON = [
            "id": .string(runID.text), "project_id": .string(try row.decode("project_id", as: String.self)),
            "status": .string(try row.decode("status", as: String.self)), "totals": try ResultTotals(row).json,
            "reports_completed": JSON(try row.decode("reports_completed", as: Int.self)),
            "total_reports_expected": JSON(try row.decode("total_reports_expected", as: Int.self)),
        ]
        return LiveAudience(runID: runID, connections: connections, run: run)
    }

    /// Sends `type` about the run to everyone following it; returns how many it reached.
    @discardableResult
    public func publish(_ type: LiveEventType, run runID: RunID, details: JSONObject = JSONObject()) throws -> Int {
        try send(type, to: try audience(of: runID), details: details)
    }

    /// Sends to an audience read before; the gone are forgotten afterwards, unless `forgetGone`
    /// is false (inside a COPY the database can run nothing else).
    @discardableResult
    public func send(_ type: LiveEventType, to audience: LiveAudience, details: JSONObject = JSONObject(), forgetGone: Bool = true)
        throws -> Int
    {
        guard !audience.isEmpty else { return 0 }
        var object = JSONObject([("type", .string(type.rawValue)), ("run_id", .string(audience.runID.text))])
        for (key, value) in details.pairs { object[key] = value }
        object["run"] = audience.run
        object["at"] = .string(EpochMilliseconds.rfc3339(EpochMilliseconds.now()))
        let message = JSON.object(object).serialized()
        var reached = 0
        var gone: [String] = []
        for connection in audience.connections {
            switch try sender.send(message, to: connection) {
            case .sent: reached += 1
            case .gone: gone.append(connection)
            }
        }
        if forgetGone, !gone.isEmpty {
            try db.query("DELETE FROM live_connections WHERE id = ANY ($1::text[])", [postgresTextArray(gone)])
        }
        return reached
    }
}

extension ResultTotals {
    /// The six counts, as every run, report and event shows them.
    public var json: JSON {
        [
            "tests": .int(Int64(tests)), "passed": .int(Int64(passed)), "failed": .int(Int64(failed)),
            "skipped": .int(Int64(skipped)), "errors": .int(Int64(errors)), "flaky": .int(Int64(flaky)),
        ]
    }
}
