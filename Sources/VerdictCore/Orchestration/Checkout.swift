import VerdictDB
import VerdictDispatch
import VerdictJSON

/// One unit of a lease, as the worker runs it.
public struct LeasedUnit: Sendable, Equatable {
    public var id: String
    /// 1 for its first try, n for its n-th.
    public var attempt: Int
    public var retest: Bool
}

/// A batch handed to a worker.
public struct LeaseGrant: Sendable, Equatable {
    public var id: LeaseID
    public var worker: String
    public var deadline: String
    public var units: [LeasedUnit]
    /// The lease was the worker's already (a retried request), not a new batch.
    public var existing: Bool
}

/// A lease that ran past its deadline: its units went back to the queue.
public struct ExpiredLease: Sendable, Equatable {
    public var runID: RunID
    public var id: LeaseID
    public var worker: String
    public var units: [String]
}

/// What a checkout answers.
public enum CheckoutResult: Sendable, Equatable {
    case lease(LeaseGrant)
    /// Nothing for this worker now, but units it could take are leased elsewhere (or being
    /// leased this instant) and may come back: ask again after this long.
    case wait(retryAfterMilliseconds: Int)
    /// Nothing this worker can take will ever come again: it may exit.
    case done
}

extension OrchestrationService {
    /// Candidates read per checkout: enough for a batch of the largest size the planner aims
    /// for in all but the first pulls of huge suites (which then just pull again).
    static let candidateLimit = 512
    /// When workers have not all arrived, batches are cut as if at least this many were
    /// coming: the first worker of a matrix must not lease half the queue a second before the
    /// others start.
    static let assumedWorkers = 4

    /// Leases the worker its next batch (longest expected first, sized by `BatchPlanner`), or
    /// hands back the lease it already holds. Expired leases of the run are reclaimed first, so
    /// a dead worker's units return as soon as anyone asks, not only when the reaper runs.
    public func checkout(_ runID: RunID, worker: String, labels: [String: String], for access: TeamAccess) throws -> (
        result: CheckoutResult, expired: [ExpiredLease]
    ) {
        do {
            return try db.transaction { try checkoutOnce(runID, worker: worker, labels: labels, for: access) }
        } catch let error as DatabaseError where error.isUniqueViolation {
            // The same worker's retried request raced its first one to a new lease; the first
            // won, and asking again finds it.
            return try db.transaction { try checkoutOnce(runID, worker: worker, labels: labels, for: access) }
        }
    }

    private func checkoutOnce(_ runID: RunID, worker: String, labels: [String: String], for access: TeamAccess) throws -> (
        result: CheckoutResult, expired: [ExpiredLease]
    ) {
        let orchestration = try self.orchestration(runID, for: access)
        guard orchestration.status == .running else { return (.done, []) }
        let labelsText = LabelsJSON.text(labels)
        try db.query(
            """
            INSERT INTO orchestration_workers (run_id, worker, labels) VALUES ($1, $2, $3::jsonb)
            ON CONFLICT (run_id, worker) DO UPDATE SET labels = EXCLUDED.labels, last_seen = now()
            """, [runID.text, worker, labelsText])
        if let held = try heldLease(runID, worker: worker, leaseSeconds: orchestration.leaseSeconds) { return (.lease(held), []) }
        let expired = try reclaimExpiredLeases(of: runID)

        let rows = try db.query(
            """
            SELECT ordinal, unit, labels::text AS labels, expected_ms, spread_ms, ran_on FROM orchestration_units
            WHERE run_id = $1 AND state = 'pending' AND labels <@ $2::jsonb
            ORDER BY (pass > 0), priority DESC, ordinal
            LIMIT $3::integer
            FOR NO KEY UPDATE SKIP LOCKED
            """, [runID.text, labelsText, String(Self.candidateLimit)]
        ).rows
        var candidates: [DispatchCandidate] = []
        var ordinals: [Int] = []
        candidates.reserveCapacity(rows.count)
        for row in rows {
            ordinals.append(try row.decode("ordinal"))
            candidates.append(
                DispatchCandidate(
                    expectedMs: try row.decode("expected_ms"), sigmaMs: try row.decode("spread_ms"),
                    labels: LabelsJSON.parse(try row.decode("labels")),
                    ranBy: try row.decode("ran_on")))
        }
        let pendingMs: Double = try db.query(
            "SELECT coalesce(sum(expected_ms), 0) AS ms FROM orchestration_units WHERE run_id = $1 AND state = 'pending'", [runID.text]
        ).first!.decode("ms")
        let live = try liveWorkers(runID, leaseSeconds: orchestration.leaseSeconds)
        let asking = DispatchWorker(name: worker, labels: labels)
        let workers = max(live.count, orchestration.expectedWorkers ?? Self.assumedWorkers)
        // The planner divides the pending work among the live workers it is shown; scaling the
        // work shown divides it among the workers expected instead (the asking one is live).
        let shownMs = pendingMs * Double(max(1, live.count)) / Double(max(1, workers))
        let batch = BatchPlanner().plan(candidates: candidates, pendingMs: shownMs, asking: asking, live: live)
        guard !batch.offsets.isEmpty else {
            return (try nothingToLease(runID, labelsText: labelsText, deferred: batch.deferredRetests, orchestration), expired)
        }
        let chosen = batch.offsets.map { ordinals[$0] }
        let lease = try db.query(
            """
            INSERT INTO orchestration_leases (id, run_id, worker, units, deadline)
            VALUES (gen_random_uuid(), $1, $2, $3::integer[], now() + make_interval(secs => $4::integer))
            RETURNING id, rfc3339(deadline) AS deadline
            """, [runID.text, worker, PostgresNumbers.array(chosen), String(orchestration.leaseSeconds)]
        ).first!
        let leaseID: LeaseID = try lease.decode("id")
        let units = try db.query(
            """
            WITH leased AS (
                UPDATE orchestration_units SET state = 'leased', lease_id = $3, tries = tries + 1
                WHERE run_id = $1 AND ordinal = ANY ($2::integer[])
                RETURNING run_id, ordinal, unit, tries, pass
            ), tried AS (
                INSERT INTO orchestration_attempts (run_id, ordinal, attempt, lease_id, worker, retest)
                SELECT run_id, ordinal, tries, $3, $4, pass > 0 FROM leased
            )
            SELECT unit, tries, pass FROM leased ORDER BY array_position($2::integer[], ordinal)
            """, [runID.text, PostgresNumbers.array(chosen), leaseID.text, worker]
        ).rows.map { row in
            LeasedUnit(id: try row.decode("unit"), attempt: try row.decode("tries"), retest: try row.decode("pass", as: Int.self) > 0)
        }
        return (
            .lease(LeaseGrant(id: leaseID, worker: worker, deadline: try lease.decode("deadline"), units: units, existing: false)), expired
        )
    }

    /// The worker's active lease, its deadline renewed (asking again proves it alive).
    private func heldLease(_ runID: RunID, worker: String, leaseSeconds: Int) throws -> LeaseGrant? {
        guard
            let lease = try db.query(
                """
                UPDATE orchestration_leases SET deadline = now() + make_interval(secs => $3::integer)
                WHERE run_id = $1 AND worker = $2 AND state = 'active'
                RETURNING id, rfc3339(deadline) AS deadline, units
                """, [runID.text, worker, String(leaseSeconds)]
            ).first
        else { return nil }
        let leaseID: LeaseID = try lease.decode("id")
        let units = try db.query(
            """
            SELECT u.unit, a.attempt, a.retest FROM orchestration_attempts a
            JOIN orchestration_units u ON u.run_id = a.run_id AND u.ordinal = a.ordinal
            WHERE a.lease_id = $1 ORDER BY array_position($2::integer[], a.ordinal)
            """, [leaseID.text, try lease.decode("units", as: String.self)]
        ).rows.map { row in LeasedUnit(id: try row.decode("unit"), attempt: try row.decode("attempt"), retest: try row.decode("retest")) }
        return LeaseGrant(id: leaseID, worker: worker, deadline: try lease.decode("deadline"), units: units, existing: true)
    }

    /// Workers seen within a lease's length: the ones that divide the remaining work, and to
    /// which a retest may go instead of the worker that failed it.
    private func liveWorkers(_ runID: RunID, leaseSeconds: Int) throws -> [DispatchWorker] {
        try db.query(
            """
            SELECT worker, labels::text AS labels FROM orchestration_workers
            WHERE run_id = $1 AND last_seen > now() - make_interval(secs => $2::integer)
            """, [runID.text, String(leaseSeconds)]
        ).rows.map { DispatchWorker(name: try $0.decode("worker"), labels: LabelsJSON.parse(try $0.decode("labels"))) }
    }

    /// Wait or done, when the planner gave this worker nothing.
    private func nothingToLease(_ runID: RunID, labelsText: String, deferred: Int, _ orchestration: OrchestrationRow) throws
        -> CheckoutResult
    {
        let row = try db.query(
            """
            SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'leased') AS leased
            FROM orchestration_units WHERE run_id = $1 AND state IN ('pending', 'leased') AND labels <@ $2::jsonb
            """, [runID.text, labelsText]
        ).first!
        let pending: Int = try row.decode("pending")
        let leased: Int = try row.decode("leased")
        // Units this worker could take that someone else is leasing right now (rows it skipped
        // as locked), or retests kept for another worker: they are a moment away.
        if pending > 0 || deferred > 0 { return .wait(retryAfterMilliseconds: 250) }
        // Leased elsewhere: they come back if their worker dies or they fail with retests left.
        if leased > 0 { return .wait(retryAfterMilliseconds: min(5_000, max(500, orchestration.leaseSeconds * 100))) }
        return .done
    }

    /// Expired leases of one run (or of every running orchestration, for the reaper) end, and
    /// their units go back to the queue without counting as tries that failed.
    func reclaimExpiredLeases(of runID: RunID?) throws -> [ExpiredLease] {
        let rows = try db.query(
            """
            WITH expired AS (
                UPDATE orchestration_leases SET state = 'expired', ended_at = now()
                WHERE ($1::uuid IS NULL OR run_id = $1::uuid) AND state = 'active' AND deadline < now()
                RETURNING id, run_id, worker
            ), requeued AS (
                UPDATE orchestration_units u SET state = 'pending', lease_id = NULL
                FROM expired e WHERE u.lease_id = e.id AND u.state = 'leased'
                RETURNING e.id AS lease_id, u.unit
            ), closed AS (
                UPDATE orchestration_attempts a SET outcome = 'expired', ended_at = now()
                FROM expired e WHERE a.lease_id = e.id AND a.outcome IS NULL
            )
            SELECT e.id, e.run_id, e.worker, coalesce(array_agg(r.unit) FILTER (WHERE r.unit IS NOT NULL), '{}') AS units
            FROM expired e LEFT JOIN requeued r ON r.lease_id = e.id
            GROUP BY e.id, e.run_id, e.worker
            """, [runID?.text]
        ).rows
        return try rows.map { row in
            ExpiredLease(
                runID: try row.decode("run_id"), id: try row.decode("id"), worker: try row.decode("worker"), units: try row.decode("units"))
        }
    }
}
