import VerdictDB

/// The scheduled sweep: leases past their deadline give their units back (checkouts do this
/// too, for their own run), and orchestrations whose workers have all gone quiet past the
/// idle timeout end `timed_out`, their open units abandoned, so no run stays "running" when
/// its CI job died.
public struct OrchestrationReaper {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public struct Sweep: Sendable {
        public var expired: [ExpiredLease]
        public var timedOut: [RunID]
    }

    public func sweep() throws -> Sweep {
        let service = OrchestrationService(db: db)
        let expired = try db.transaction { try service.reclaimExpiredLeases(of: nil) }
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
        return Sweep(expired: expired, timedOut: timedOut)
    }
}
