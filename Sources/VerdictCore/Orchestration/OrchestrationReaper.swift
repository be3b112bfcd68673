import VerdictDB

/// The scheduled sweep: leases past their deadline give their units back (checkouts do this
/// too, for their own run); orchestrations with every unit decided end `completed` (two
/// completions deciding the last units at once can each leave that to the other, and when no
/// worker asks again nobody else would); and orchestrations whose workers have all gone quiet
/// past the idle timeout end `timed_out`, their open units abandoned, so no run stays
/// "running" when its CI job died.
public struct OrchestrationReaper {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public struct Sweep: Sendable {
        public var expired: [ExpiredLease]
        public var completed: [RunID]
        public var timedOut: [RunID]
    }

    public func sweep() throws -> Sweep {
        let service = OrchestrationService(db: db)
        let expired = try db.transaction { try service.reclaimExpiredLeases(of: nil) }
        let decided = try db.query(
            """
            SELECT o.run_id FROM orchestrations o
            WHERE o.status = 'running'
              AND NOT EXISTS (SELECT 1 FROM orchestration_units u WHERE u.run_id = o.run_id AND u.state = 'pending')
              AND NOT EXISTS (SELECT 1 FROM orchestration_units u WHERE u.run_id = o.run_id AND u.state = 'leased')
            """
        ).rows.map { try $0.decode("run_id", as: RunID.self) }
        var completed: [RunID] = []
        for runID in decided where try db.transaction({ try service.finishIfDecided(runID) }) != nil { completed.append(runID) }
        // Quiet since the later of its start and its workers' last call.
        let idle = try db.query(
            """
            SELECT o.run_id FROM orchestrations o
            WHERE o.status = 'running'
              AND greatest(o.created_at, (SELECT max(w.last_seen) FROM orchestration_workers w WHERE w.run_id = o.run_id))
                  < now() - make_interval(secs => o.idle_timeout_seconds)
            """
        ).rows.map { try $0.decode("run_id", as: RunID.self) }
        var timedOut: [RunID] = []
        for runID in idle {
            let stopped = try db.transaction {
                let status: OrchestrationStatus? = try db.query(
                    "SELECT status FROM orchestrations WHERE run_id = $1 FOR NO KEY UPDATE", [runID.text]
                ).first.map { try $0.decode("status") }
                guard status == .running else { return false }
                try service.stop(runID, status: .timedOut, reason: "idle_timeout")
                return true
            }
            if stopped { timedOut.append(runID) }
        }
        return Sweep(expired: expired, completed: completed, timedOut: timedOut)
    }
}
