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
    /// Their expected work, back in the queue.
    public var expectedMs: Double
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
    /// The most candidates one checkout locks: the first batches of a suite of thousands of tiny
    /// tests come near it (and pull again sooner when even that falls short).
    static let candidateLimit = 2_048
    /// When workers have not all arrived, batches are cut as if at least this many were
    /// coming: the first worker of a matrix must not lease half the queue a second before the
    /// others start.
    static let assumedWorkers = 4

    /// Leases the worker its next batch (longest expected first, sized by `BatchPlanner`), or
    /// hands back the lease it already holds. Expired leases of the run are reclaimed first, so
    /// a dead worker's units return as soon as anyone asks, not only when the reaper runs.
    public func checkout(_ runID: RunID, worker: String, labels: [String: String], for access: TeamAccess) throws -> (
        result: CheckoutResult, expired: [ExpiredLease], finished: Bool
    ) {
        do {
            return try db.transaction { try checkoutOnce(runID, worker: worker, labels: labels, for: access) }
        } catch let error as DatabaseError where error.isUniqueViolation {
            // The same worker's retried request raced its first one to a new lease; the first
            // won, and asking again finds it.
            return try db.transaction { try checkoutOnce(runID, worker: worker, labels: labels, for: access) }
        }
    }

    // A checkout is three statements: the orchestration read with the worker's visit recorded,
    // the head of the queue locked, and the lease written (with the COMMIT). With 200 workers on
    // one run every statement is a wake-up of both processes, and those are what queue.
    private func checkoutOnce(_ runID: RunID, worker: String, labels: [String: String], for access: TeamAccess) throws -> (
        result: CheckoutResult, expired: [ExpiredLease], finished: Bool
    ) {
        let labelsText = LabelsJSON.text(labels)
        guard
            let seen = try db.query(
                prepared:
                    """
                    WITH o AS (
                        SELECT \(Self.columns)\(Self.queueColumns)
                        FROM orchestrations o JOIN projects p ON p.id = o.project_id
                        WHERE o.run_id = $1 AND p.team_id = $2
                    ), visit AS (
                        INSERT INTO orchestration_workers (run_id, worker, labels)
                        SELECT run_id, $3, $4::jsonb FROM o WHERE status = 'running'
                        ON CONFLICT (run_id, worker) DO UPDATE SET labels = EXCLUDED.labels, last_seen = now()
                    )
                    SELECT o.*,
                        EXISTS (SELECT 1 FROM orchestration_leases WHERE run_id = $1 AND worker = $3 AND state = 'active') AS holds,
                        (SELECT count(*) FROM orchestration_workers w
                         WHERE w.run_id = $1 AND w.worker <> $3 AND w.last_seen > now() - make_interval(secs => o.lease_seconds)) + 1
                            AS live
                    FROM o
                    """, [runID.text, access.teamID.text, worker, labelsText]
            ).first
        else { throw ServiceError.notFound("orchestration of \(runID.named)") }
        let orchestration = try OrchestrationRow(seen, queue: true)
        guard orchestration.status == .running else { return (.done, [], false) }
        if try seen.decode("holds", as: Bool.self),
            let held = try heldLease(runID, worker: worker, leaseSeconds: orchestration.leaseSeconds)
        {
            return (.lease(held), [], false)
        }
        let expired = orchestration.leasesDue ? try reclaimExpiredLeases(of: runID) : []
        // Read before the reclaim, so what it returned to the queue is added back here.
        let pendingMs = orchestration.pendingMs + expired.reduce(0) { $0 + $1.expectedMs }
        let liveCount: Int = try seen.decode("live")
        let asking = DispatchWorker(name: worker, labels: labels)
        let workers = max(liveCount, orchestration.expectedWorkers ?? Self.assumedWorkers)
        let planner = BatchPlanner(policy: .standard.shared(by: workers))
        // The planner divides the pending work among the live workers it is shown; scaling the
        // work shown divides it among the workers live or expected instead.
        var live = [asking]
        var shownMs = pendingMs / Double(max(1, workers)) * Self.spreadFactor(workers: workers)
        // Lock about as many rows as the batch needs, guessed from the mean unit: locking a long
        // prefix on every checkout made each one write hundreds of row locks and the others skip
        // past them. A guess that falls short is widened.
        var limit = Self.lockLimit(
            targetMs: planner.targetMs(pendingMs: shownMs, liveWorkers: 1),
            meanUnitMs: orchestration.totalMs / Double(max(1, orchestration.unitsTotal)))
        var (ids, locked) = try candidates(runID, labelsText: labelsText, limit: limit, lock: true)
        // Who else is live matters only to a retest (it goes to a worker that has not run it).
        if locked.contains(where: { !$0.ranBy.isEmpty }) {
            live = try liveWorkers(runID, leaseSeconds: orchestration.leaseSeconds)
            if !live.contains(where: { $0.name == worker }) { live.append(asking) }
            shownMs = pendingMs * Double(live.count) / Double(max(1, workers, live.count))
        }
        var batch = planner.plan(candidates: locked, pendingMs: shownMs, asking: asking, live: live)
        while batch.exhaustedCandidates, locked.count == limit, limit < Self.candidateLimit {
            // Rows this transaction locked stay its own: the wider read returns them again.
            limit = min(Self.candidateLimit, limit * 8)
            (ids, locked) = try candidates(runID, labelsText: labelsText, limit: limit, lock: true)
            batch = planner.plan(candidates: locked, pendingMs: shownMs, asking: asking, live: live)
        }
        guard !batch.offsets.isEmpty else {
            let (result, finished) = try nothingToLease(
                runID, labelsText: labelsText, deferred: batch.deferredRetests, liveWorkers: liveCount, orchestration)
            return (result, expired, finished)
        }
        let chosen = batch.offsets.map { ids[$0] }
        // The lease, its units, their tries and the worker's share of the work, in one statement
        // sent with the COMMIT. Its units are locked by this transaction, so all of them are
        // leased.
        let rows = try db.commit(
            afterPrepared:
                """
                WITH lease AS (
                    INSERT INTO orchestration_leases (id, run_id, worker, units, deadline)
                    VALUES (gen_random_uuid(), $4, $3, $1::bigint[], now() + make_interval(secs => $2::integer))
                    RETURNING id, deadline
                ), leased AS (
                    UPDATE orchestration_units SET state = 'leased', lease_id = (SELECT id FROM lease), tries = tries + 1
                    WHERE id = ANY ($1::bigint[])
                    RETURNING id, run_id, unit, tries, pass, expected_ms
                ), tried AS (
                    INSERT INTO orchestration_attempts (unit_id, attempt, run_id, lease_id, worker, retest, started_at)
                    SELECT id, tries, run_id, (SELECT id FROM lease), $3, pass > 0, clock_timestamp() FROM leased
                ), handed AS (
                    UPDATE orchestration_workers SET leased_ms = leased_ms + (SELECT sum(expected_ms) FROM leased)
                    WHERE run_id = $4 AND worker = $3
                )
                SELECT (SELECT id FROM lease) AS lease_id, (SELECT rfc3339(deadline) FROM lease) AS deadline, unit, tries, pass
                FROM leased ORDER BY array_position($1::bigint[], id)
                """, [postgresNumberArray(chosen), String(orchestration.leaseSeconds), worker, runID.text]
        ).rows
        let units = try rows.map { row in
            LeasedUnit(id: try row.decode("unit"), attempt: try row.decode("tries"), retest: try row.decode("pass", as: Int.self) > 0)
        }
        guard let first = rows.first else {
            throw ServiceError.refused(.runChanged, "the batch for \(worker) was taken while it was leased; check out again")
        }
        let grant = LeaseGrant(
            id: try first.decode("lease_id"), worker: worker, deadline: try first.decode("deadline"), units: units, existing: false)
        return (.lease(grant), expired, false)
    }

    /// Scales one batch by up to 30% either way when many workers share a run. Batches sized
    /// from the remaining work alone end together: a worker that starts later gets less, by
    /// about what its later start costs, so a matrix whose jobs start over a few seconds
    /// finishes its first batches within a fraction of one and every worker completes and
    /// checks out in the same instant (with 200 workers, a second of saturated CPU and a p99
    /// four times the p50). Uneven batches end at uneven times. The tail's batches are small
    /// whatever the factor, so the run's end is not moved; the simulator, with one dispatcher
    /// and no server to crowd, leaves it out.
    static func spreadFactor(workers: Int) -> Double {
        workers < 8 ? 1 : Double.random(in: 0.7...1.3)
    }

    /// Rows to lock for a batch of `targetMs`: the batch's units at the mean length, with room
    /// to spare (the head of the queue is its longest units, so usually fewer are needed).
    static func lockLimit(targetMs: Double, meanUnitMs: Double) -> Int {
        guard meanUnitMs > 0, targetMs.isFinite else { return 32 }
        let guess = (targetMs / meanUnitMs * 1.5).rounded(.up) + 4
        return guess >= Double(candidateLimit) ? candidateLimit : max(8, Int(guess))
    }

    /// The head of the pending queue this worker's labels allow, in queue order; locked (rows
    /// other checkouts hold are skipped) when the batch is to be taken from it.
    private func candidates(_ runID: RunID, labelsText: String, limit: Int, lock: Bool) throws -> (
        ids: [Int64], candidates: [DispatchCandidate]
    ) {
        let rows = try db.query(
            prepared:
                """
                SELECT id, labels::text AS labels, expected_ms, spread_ms, ran_on FROM orchestration_units
                WHERE run_id = $1 AND state = 'pending' AND labels <@ $2::jsonb
                ORDER BY (pass > 0), priority DESC, ordinal
                LIMIT $3::integer\(lock ? " FOR NO KEY UPDATE SKIP LOCKED" : "")
                """, [runID.text, labelsText, String(limit)]
        ).rows
        var ids: [Int64] = []
        var candidates: [DispatchCandidate] = []
        ids.reserveCapacity(rows.count)
        candidates.reserveCapacity(rows.count)
        for row in rows {
            ids.append(try row.decode("id"))
            candidates.append(
                DispatchCandidate(
                    expectedMs: try row.decode("expected_ms"), sigmaMs: try row.decode("spread_ms"),
                    labels: LabelsJSON.parse(try row.decode("labels")), ranBy: try row.decode("ran_on")))
        }
        return (ids, candidates)
    }

    /// The worker's active lease, its deadline renewed (asking again proves it alive).
    private func heldLease(_ runID: RunID, worker: String, leaseSeconds: Int) throws -> LeaseGrant? {
        guard
            let lease = try db.query(
                prepared:
                    """
                    UPDATE orchestration_leases SET deadline = now() + make_interval(secs => $3::integer)
                    WHERE run_id = $1 AND worker = $2 AND state = 'active'
                    RETURNING id, rfc3339(deadline) AS deadline, units
                    """, [runID.text, worker, String(leaseSeconds)]
            ).first
        else { return nil }
        let leaseID: LeaseID = try lease.decode("id")
        let units = try db.query(
            prepared:
                """
                SELECT u.unit, a.attempt, a.retest FROM orchestration_attempts a JOIN orchestration_units u ON u.id = a.unit_id
                WHERE a.lease_id = $1 ORDER BY array_position($2::bigint[], a.unit_id)
                """, [leaseID.text, try lease.decode("units", as: String.self)]
        ).rows.map { row in LeasedUnit(id: try row.decode("unit"), attempt: try row.decode("attempt"), retest: try row.decode("retest")) }
        return LeaseGrant(id: leaseID, worker: worker, deadline: try lease.decode("deadline"), units: units, existing: true)
    }

    /// Workers seen within a lease's length: the ones that divide the remaining work, and to
    /// which a retest may go instead of the worker that failed it.
    private func liveWorkers(_ runID: RunID, leaseSeconds: Int) throws -> [DispatchWorker] {
        try db.query(
            prepared:
                """
                SELECT worker, labels::text AS labels FROM orchestration_workers
                WHERE run_id = $1 AND last_seen > now() - make_interval(secs => $2::integer)
                """, [runID.text, String(leaseSeconds)]
        ).rows.map { DispatchWorker(name: try $0.decode("worker"), labels: LabelsJSON.parse(try $0.decode("labels"))) }
    }

    /// Wait or done, when the planner gave this worker nothing; and when nothing at all is open,
    /// the run ends here (two completions deciding its last units at once can each leave that
    /// to the other).
    private func nothingToLease(
        _ runID: RunID, labelsText: String, deferred: Int, liveWorkers: Int, _ orchestration: OrchestrationRow
    ) throws
        -> (CheckoutResult, finished: Bool)
    {
        let row = try db.query(
            prepared:
                """
                SELECT EXISTS (SELECT 1 FROM orchestration_units WHERE run_id = $1 AND state = 'pending' AND labels <@ $2::jsonb) AS pending,
                    EXISTS (SELECT 1 FROM orchestration_units WHERE run_id = $1 AND state = 'leased' AND labels <@ $2::jsonb) AS leased,
                    (SELECT extract(epoch FROM min(deadline) - now()) * 1000 FROM orchestration_leases
                     WHERE run_id = $1 AND state = 'active') AS next_deadline_ms
                """, [runID.text, labelsText]
        ).first!
        let pending: Bool = try row.decode("pending")
        let leased: Bool = try row.decode("leased")
        // Units this worker could take that someone else is leasing right now (rows it skipped
        // as locked), or retests kept for another worker: they are a moment away.
        if pending || deferred > 0 { return (.wait(retryAfterMilliseconds: 250), false) }
        guard leased else { return (.done, try finishIfDecided(runID) != nil) }
        let nextDeadlineMs: Double? = try row.decodeIfPresent("next_deadline_ms")
        return (
            .wait(
                retryAfterMilliseconds: Self.leasedElsewhereWait(
                    leaseSeconds: orchestration.leaseSeconds, retests: orchestration.retests, nextDeadlineMs: nextDeadlineMs,
                    liveWorkers: liveWorkers)), false
        )
    }

    /// How long a worker waits for units leased elsewhere. They come back when their worker
    /// fails them with retests left (any moment: a short wait), or when their lease runs out:
    /// then not before the nearest deadline, and a run whose last units are out would otherwise
    /// have every idle worker asking twice a second until then, the busiest moment of the run
    /// for the database. Released or unreported units may come back sooner; the next ask finds
    /// them.
    ///
    /// The idle workers' asks are spread over 25 ms for each live worker (up to 2.5 s more): with
    /// 100 of them, one still asks every 25 ms on average, so a unit that comes back waits about
    /// that long, while the database sees about 60 asks a second instead of 160.
    static func leasedElsewhereWait(leaseSeconds: Int, retests: Int, nextDeadlineMs: Double?, liveWorkers: Int) -> Int {
        let short = min(5_000, max(500, leaseSeconds * 100))
        let spread = Int.random(in: 0...min(2_500, max(250, 25 * liveWorkers)))
        guard retests == 0, let until = nextDeadlineMs, until.isFinite else { return short + spread }
        return min(5_000, max(short, Int(until.rounded(.up)))) + spread
    }

    /// Expired leases of one run (or of every running orchestration, for the reaper) end, and
    /// their units go back to the queue without counting as tries that failed. A lease another
    /// transaction holds (a checkout reclaiming it, its worker completing it) is left to that
    /// one: every checkout of a busy run would otherwise queue behind the first to see it.
    func reclaimExpiredLeases(of runID: RunID?) throws -> [ExpiredLease] {
        let rows = try db.query(
            prepared:
                """
                WITH due AS (
                    SELECT id FROM orchestration_leases
                    WHERE ($1::uuid IS NULL OR run_id = $1::uuid) AND state = 'active' AND deadline < now()
                    FOR NO KEY UPDATE SKIP LOCKED
                ), expired AS (
                    UPDATE orchestration_leases SET state = 'expired', ended_at = now()
                    WHERE id IN (SELECT id FROM due)
                    RETURNING id, run_id, worker, units
                ), requeued AS (
                    UPDATE orchestration_units u SET state = 'pending', lease_id = NULL
                    FROM expired e WHERE u.id = ANY (e.units) AND u.lease_id = e.id AND u.state = 'leased'
                    RETURNING e.id AS lease_id, e.run_id, u.unit, u.expected_ms
                ), ledger AS (
                    UPDATE orchestrations o SET requeued_ms = o.requeued_ms + t.ms
                    FROM (SELECT run_id, sum(expected_ms) AS ms FROM requeued GROUP BY run_id) t WHERE o.run_id = t.run_id
                ), closed AS (
                    UPDATE orchestration_attempts a SET outcome = 'expired', ended_at = clock_timestamp()
                    FROM expired e WHERE a.lease_id = e.id AND a.outcome IS NULL
                )
                SELECT e.id, e.run_id, e.worker, coalesce(array_agg(r.unit) FILTER (WHERE r.unit IS NOT NULL), '{}') AS units,
                    coalesce(sum(r.expected_ms), 0) AS expected_ms
                FROM expired e LEFT JOIN requeued r ON r.lease_id = e.id
                GROUP BY e.id, e.run_id, e.worker
                """, [runID?.text]
        ).rows
        return try rows.map { row in
            ExpiredLease(
                runID: try row.decode("run_id"), id: try row.decode("id"), worker: try row.decode("worker"), units: try row.decode("units"),
                expectedMs: try row.decode("expected_ms"))
        }
    }
}
