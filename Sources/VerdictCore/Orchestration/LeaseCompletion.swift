import VerdictDB
import VerdictDispatch
import VerdictJSON

/// One unit's result as a worker reports it.
public struct UnitResult: Sendable, Equatable {
    public var unit: String
    public var outcome: UnitOutcome
    public var durationMs: Double?
    public var error: String?

    public init(unit: String, outcome: UnitOutcome, durationMs: Double? = nil, error: String? = nil) {
        self.unit = unit
        self.outcome = outcome
        self.durationMs = durationMs
        self.error = error
    }

    /// An error message is kept to this many characters; the report has the rest.
    public static let errorLimit = 8_192
}

/// What a `complete` came to: how many results decided their units and how many were only
/// recorded (the unit had moved on); the units' new states; and whether it ended the run.
public struct CompletionOutcome: Sendable {
    public var accepted: Int
    public var late: Int
    public var units: [(unit: String, state: UnitState)]
    /// The run ended with this call: `completed` (or `completed` after fail-fast).
    public var finished: OrchestrationStatus?
    public var failFastTriggered: Bool
    /// The stored answer of an earlier call with the same lease (a retried request).
    public var repeated: Bool
}

extension OrchestrationService {
    /// Records a lease's results. The first call decides; a repeat gets the same counts back.
    /// A result for a unit whose lease has moved on (it expired and the unit was leased again,
    /// or the run ended) is kept as a late attempt and changes nothing else.
    ///
    /// The lease's rows and its units' rows are locked, so completions of different leases run
    /// side by side. Ending the run takes the orchestration's row only when this completion
    /// sees nothing open: two completions deciding the last units at once may each see the
    /// other's units still leased, and then the next checkout (every worker asks again) or the
    /// reaper ends it.
    public func complete(_ runID: RunID, worker: String, lease leaseID: LeaseID, results: [UnitResult], for access: TeamAccess) throws
        -> CompletionOutcome
    {
        var outcome = try db.transaction { () -> (CompletionOutcome, settle: Bool) in
            let (orchestration, lease) = try self.lease(leaseID, of: runID, worker: worker, for: access)
            if let answer = lease.answer {
                let repeated = CompletionOutcome(
                    accepted: Int(answer["accepted"]?.intValue ?? 0), late: Int(answer["late"]?.intValue ?? 0), units: [],
                    finished: nil, failFastTriggered: false, repeated: true)
                return (repeated, false)
            }
            let units = try leaseUnits(lease)
            var seen = Set<String>()
            for (index, result) in results.enumerated() {
                guard units[result.unit] != nil else {
                    throw ServiceError.invalid(
                        field: "results[\(index)].unit", reason: "\"\(result.unit)\" is not a unit of lease \(leaseID.text)")
                }
                guard seen.insert(result.unit).inserted else {
                    throw ServiceError.invalid(field: "results[\(index)].unit", reason: "repeats \"\(result.unit)\"")
                }
            }
            let running = orchestration.status == .running
            var write = LeaseResultsWrite()
            var states: [(unit: String, state: UnitState)] = []
            for result in results {
                let unit = units[result.unit]!
                // Live: the unit is still this lease's, or it was reclaimed from it and waits in
                // the queue (nobody else has started it, so the result is as good as on time).
                let live = running && ((unit.state == .leased && unit.leaseID == leaseID) || unit.state == .pending)
                write.recordTry(unitID: unit.id, result: result, late: !live)
                guard live else { continue }
                let next = Self.decide(unit, result: result, retests: orchestration.retests)
                write.decide(unitID: unit.id, state: next.state, pass: next.pass, failedTries: next.failedTries)
                states.append((result.unit, next.state))
                if next.state == .pending { write.requeuedMs += unit.expectedMs }
            }
            // Units the worker did not report go back to the queue: it did not run them.
            for unit in units.values where !seen.contains(unit.unit) && unit.state == .leased && unit.leaseID == leaseID {
                write.decide(unitID: unit.id, state: .pending, pass: unit.pass, failedTries: unit.failedTries, ran: false)
                write.recordTry(unitID: unit.id, outcome: "unreported")
                write.requeuedMs += unit.expectedMs
            }
            let accepted = states.count
            let late = results.count - accepted
            let answer: JSON = ["accepted": JSON(accepted), "late": JSON(late)]
            var completion = CompletionOutcome(
                accepted: accepted, late: late, units: states, finished: nil, failFastTriggered: false, repeated: false)
            // Fail-fast looks at the whole run after the write, in the same transaction; without
            // it the write is the transaction's last statement and goes with its COMMIT.
            let settleHere = running && write.decidedCount > 0 && orchestration.failFast != nil
            let open = try write.apply(
                leaseID: leaseID, runID: runID, worker: worker, answer: String(decoding: answer.serialized(), as: UTF8.self),
                commit: !settleHere, db: db)
            guard settleHere else { return (completion, running && write.decidedCount > 0 && !open) }
            completion.failFastTriggered = try applyFailFast(orchestration)
            completion.finished = try finishIfDecided(runID)
            return (completion, false)
        }
        // Nothing looked open: end the run, in a transaction of its own (the write committed).
        if outcome.settle { outcome.0.finished = try db.transaction { try finishIfDecided(runID) } }
        return outcome.0
    }

    /// The unit's next state after a live result: decided, or queued again for a retest.
    static func decide(_ unit: LeaseUnit, result: UnitResult, retests: Int) -> (state: UnitState, pass: Int, failedTries: Int) {
        var failed = unit.failedTries
        switch result.outcome {
        case .skipped:
            return (.skipped, unit.pass, failed)
        case .passed, .failed, .errored:
            if result.outcome.isFailure { failed += 1 }
            switch Retests.verdict(passed: result.outcome == .passed, attempt: unit.pass, retests: retests) {
            case .passed: return (.passed, unit.pass, failed)
            case .flaky: return (.flaky, unit.pass, failed)
            case .retest(let next): return (.pending, next, failed)
            case .failed: return (result.outcome == .errored ? .errored : .failed, unit.pass, failed)
            }
        }
    }

    /// Adds work that went back to the queue to the orchestration's ledger.
    func requeue(_ milliseconds: Double, runID: RunID) throws {
        guard milliseconds != 0 else { return }
        try db.query(
            prepared:
                "UPDATE orchestrations SET requeued_ms = requeued_ms + $2::double precision WHERE run_id = $1",
            [runID.text, "\(milliseconds)"])
    }

    /// With `fail_fast` N: once N units have failed, nothing more is handed out; what waits in
    /// the queue is abandoned, and the leases out finish what they hold.
    private func applyFailFast(_ orchestration: OrchestrationRow) throws -> Bool {
        guard let limit = orchestration.failFast else { return false }
        let failed: Int = try db.query(
            prepared:
                "SELECT count(*) AS n FROM orchestration_units WHERE run_id = $1 AND failed_tries > 0", [orchestration.runID.text]
        ).first!.decode("n")
        guard failed >= limit else { return false }
        let abandoned = try db.query(
            prepared:
                "UPDATE orchestration_units SET state = 'abandoned' WHERE run_id = $1 AND state = 'pending' RETURNING expected_ms",
            [orchestration.runID.text]
        ).rows
        try requeue(-(try abandoned.reduce(0.0) { $0 + (try $1.decode("expected_ms", as: Double.self)) }), runID: orchestration.runID)
        try db.query(
            prepared:
                "UPDATE orchestrations SET stop_reason = 'fail_fast' WHERE run_id = $1 AND stop_reason IS NULL", [orchestration.runID.text])
        return !abandoned.isEmpty
    }

    /// Ends the orchestration, and its report run, once no unit is pending or leased.
    func finishIfDecided(_ runID: RunID) throws -> OrchestrationStatus? {
        guard try !hasOpenUnits(runID) else { return nil }
        // Seen decided: take the orchestration's row and look again. Whoever holds it now is
        // ending the run already, or changing it so that something is open again (work back in
        // the queue, a cancel): either way not ours to end, and the workers that saw the end at
        // once must not queue behind the one that is writing it (the reaper ends what is left).
        guard
            try !db.query(prepared: "SELECT 1 FROM orchestrations WHERE run_id = $1 FOR NO KEY UPDATE SKIP LOCKED", [runID.text])
                .rows.isEmpty,
            try !hasOpenUnits(runID)
        else { return nil }
        guard
            let ended = try db.query(
                prepared:
                    """
                    UPDATE orchestrations SET status = 'completed', completed_at = now() WHERE run_id = $1 AND status = 'running'
                    RETURNING project_id
                    """,
                [runID.text]
            ).first
        else { return nil }
        try UnitHistory(db: db).recordRun(runID, projectID: try ended.decode("project_id"))
        try db.query(
            prepared:
                """
                UPDATE runs SET status = 'completed', completed_at = now(), last_activity_at = now(),
                    ended_at = GREATEST(ended_at, now()), started_at = LEAST(started_at, (SELECT created_at FROM orchestrations WHERE run_id = $1))
                WHERE id = $1
                """, [runID.text])
        return .completed
    }

    private func hasOpenUnits(_ runID: RunID) throws -> Bool {
        let open: Bool = try db.query(
            prepared:
                """
                SELECT EXISTS (SELECT 1 FROM orchestration_units WHERE run_id = $1 AND state = 'pending')
                    OR EXISTS (SELECT 1 FROM orchestration_units WHERE run_id = $1 AND state = 'leased') AS open
                """, [runID.text]
        ).first!.decode("open")
        return open
    }

    /// Pushes the lease's deadline out by the run's lease length.
    public func heartbeat(_ runID: RunID, worker: String, lease leaseID: LeaseID, for access: TeamAccess) throws -> String {
        try db.transaction {
            let (orchestration, lease) = try self.lease(leaseID, of: runID, worker: worker, for: access)
            guard lease.state == "active", orchestration.status == .running else { throw Self.ended(leaseID, state: lease.state) }
            return try db.commit(
                afterPrepared:
                    """
                    WITH seen AS (
                        UPDATE orchestration_workers SET last_seen = now() WHERE run_id = $3 AND worker = $4
                    )
                    UPDATE orchestration_leases SET deadline = now() + make_interval(secs => $2::integer) WHERE id = $1
                    RETURNING rfc3339(deadline) AS deadline
                    """, [leaseID.text, String(orchestration.leaseSeconds), runID.text, worker]
            ).first!.decode("deadline")
        }
    }

    /// Gives a lease back (a worker stopped by Ctrl-C or SIGTERM): its units return to the
    /// queue untried. Giving back a lease that already ended changes nothing.
    public func release(_ runID: RunID, worker: String, lease leaseID: LeaseID, for access: TeamAccess) throws -> [String] {
        try db.transaction {
            let (_, lease) = try self.lease(leaseID, of: runID, worker: worker, for: access)
            guard lease.state == "active" else { return [] }
            try db.query(prepared: "UPDATE orchestration_leases SET state = 'released', ended_at = now() WHERE id = $1", [leaseID.text])
            try db.query(
                prepared:
                    "UPDATE orchestration_attempts SET outcome = 'released', ended_at = clock_timestamp() WHERE lease_id = $1 AND outcome IS NULL",
                [leaseID.text])
            let released = try db.query(
                prepared:
                    """
                    UPDATE orchestration_units SET state = 'pending', lease_id = NULL
                    WHERE run_id = $2 AND lease_id = $1 AND state = 'leased' RETURNING unit, expected_ms
                    """, [leaseID.text, runID.text]
            ).rows
            try requeue(try released.reduce(0.0) { $0 + (try $1.decode("expected_ms", as: Double.self)) }, runID: runID)
            return try released.map { try $0.decode("unit") }
        }
    }

    /// Stops handing out units: the queue and the leases out are abandoned, and late results
    /// are only recorded.
    /// Returns the orchestration after it, and whether this call stopped it (cancelling an
    /// orchestration that already ended changes nothing).
    public func cancel(_ runID: RunID, for access: TeamAccess) throws -> (summary: OrchestrationSummary, stopped: Bool) {
        try db.transaction {
            let orchestration = try self.orchestration(runID, for: access, lock: true)
            let running = orchestration.status == .running
            if running { try stop(runID, status: .cancelled, reason: "cancelled") }
            return (try summary(runID), running)
        }
    }

    /// Ends a running orchestration early: open units abandoned, leases and their tries closed,
    /// the report run marked incomplete (it did not run everything).
    func stop(_ runID: RunID, status: OrchestrationStatus, reason: String) throws {
        let stopped = try db.query(
            prepared:
                """
                UPDATE orchestrations SET status = $2, stop_reason = coalesce(stop_reason, $3), completed_at = now()
                WHERE run_id = $1 RETURNING project_id
                """, [runID.text, status.rawValue, reason])
        // What did run still teaches the next run's plan.
        if let row = stopped.first { try UnitHistory(db: db).recordRun(runID, projectID: try row.decode("project_id")) }
        try db.query(
            prepared:
                "UPDATE orchestration_units SET state = 'abandoned' WHERE run_id = $1 AND state IN ('pending', 'leased')", [runID.text])
        try db.query(
            prepared:
                "UPDATE orchestration_leases SET state = 'cancelled', ended_at = now() WHERE run_id = $1 AND state = 'active'", [runID.text]
        )
        try db.query(
            prepared:
                "UPDATE orchestration_attempts SET outcome = 'cancelled', ended_at = clock_timestamp() WHERE run_id = $1 AND outcome IS NULL",
            [runID.text])
        try db.query(prepared: "UPDATE runs SET status = 'incomplete', last_activity_at = now() WHERE id = $1", [runID.text])
    }

    // MARK: reading a lease

    struct LeaseRow {
        var state: String
        /// Its units' row ids, as a `bigint[]` literal.
        var units: String
        var answer: JSON?
    }

    struct LeaseUnit {
        var id: Int64
        var unit: String
        var state: UnitState
        var leaseID: LeaseID?
        var pass: Int
        var failedTries: Int
        var expectedMs: Double
    }

    /// The orchestration of a run of the caller's team and one of its leases, the lease's row
    /// locked (before any of its units: a checkout reclaiming it locks it first too), in one
    /// statement.
    func lease(_ leaseID: LeaseID, of runID: RunID, worker: String, for access: TeamAccess) throws -> (OrchestrationRow, LeaseRow) {
        guard
            let row = try db.query(
                prepared:
                    """
                    SELECT \(Self.columns), l.worker, l.state AS lease_state, l.units, l.answer::text AS answer
                    FROM orchestrations o JOIN projects p ON p.id = o.project_id
                    JOIN orchestration_leases l ON l.id = $3 AND l.run_id = o.run_id
                    WHERE o.run_id = $1 AND p.team_id = $2
                    FOR NO KEY UPDATE OF l
                    """,
                [runID.text, access.teamID.text, leaseID.text]
            ).first
        else {
            // Which of the two is missing decides the message.
            _ = try orchestration(runID, for: access)
            throw ServiceError.notFound("\(leaseID.named) of \(runID.named)")
        }
        let holder: String = try row.decode("worker")
        guard holder == worker else {
            throw ServiceError.refused(.leaseNotHeld, "\(leaseID.named) belongs to worker \"\(holder)\", not \"\(worker)\"")
        }
        let answer = try row.decodeIfPresent("answer", as: String.self).flatMap { try? JSON.parse(Array($0.utf8)) }
        return (try OrchestrationRow(row), LeaseRow(state: try row.decode("lease_state"), units: try row.decode("units"), answer: answer))
    }

    /// The lease's units, keyed by unit id, as they stand now: read by their row ids alone (the
    /// lease is the run's), since a condition on the run let a new run's missing statistics
    /// plan a scan of all its units.
    private func leaseUnits(_ lease: LeaseRow) throws -> [String: LeaseUnit] {
        var units: [String: LeaseUnit] = [:]
        for row in try db.query(
            prepared:
                """
                SELECT id, unit, state, lease_id, pass, failed_tries, expected_ms FROM orchestration_units
                WHERE id = ANY ($1::bigint[])
                ORDER BY id FOR NO KEY UPDATE
                """, [lease.units]
        ).rows {
            let unit = LeaseUnit(
                id: try row.decode("id"), unit: try row.decode("unit"), state: try row.decode("state"),
                leaseID: try row.decodeIfPresent("lease_id"), pass: try row.decode("pass"), failedTries: try row.decode("failed_tries"),
                expectedMs: try row.decode("expected_ms"))
            units[unit.unit] = unit
        }
        return units
    }

    static func ended(_ leaseID: LeaseID, state: String) -> ServiceError {
        .refused(
            .leaseEnded,
            "\(leaseID.named) is \(state == "active" ? "no longer running: the orchestration ended" : state); check out again")
    }
}
