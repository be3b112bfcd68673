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
    public func complete(_ runID: RunID, worker: String, lease leaseID: LeaseID, results: [UnitResult], for access: TeamAccess) throws
        -> CompletionOutcome
    {
        try db.transaction {
            let orchestration = try self.orchestration(runID, for: access, lock: true)
            let lease = try self.lease(leaseID, runID: runID, worker: worker)
            if let answer = lease.answer {
                return CompletionOutcome(
                    accepted: Int(answer["accepted"]?.intValue ?? 0), late: Int(answer["late"]?.intValue ?? 0), units: [],
                    finished: nil, failFastTriggered: false, repeated: true)
            }
            let units = try leaseUnits(leaseID, runID: runID)
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
            var accepted = 0
            var late = 0
            var states: [(unit: String, state: UnitState)] = []
            var samples: [String: Double] = [:]
            for result in results {
                let unit = units[result.unit]!
                // Live: the unit is still this lease's, or it was reclaimed from it and waits in
                // the queue (nobody else has started it, so the result is as good as on time).
                let live = running && ((unit.state == .leased && unit.leaseID == leaseID) || unit.state == .pending)
                try db.query(
                    """
                    UPDATE orchestration_attempts SET outcome = $4, duration_ms = $5::double precision, error = $6, ended_at = now(),
                        late = $7::boolean
                    WHERE run_id = $1 AND ordinal = $2::integer AND lease_id = $3
                    """,
                    [
                        runID.text, String(unit.ordinal), leaseID.text, result.outcome.rawValue, result.durationMs.map { "\($0)" },
                        result.error.map { String($0.prefix(UnitResult.errorLimit)) }, live ? "false" : "true",
                    ])
                if let duration = result.durationMs, result.outcome != .skipped { samples[result.unit] = duration }
                guard live else {
                    late += 1
                    continue
                }
                accepted += 1
                let state = try decide(unit, result: result, worker: worker, runID: runID, retests: orchestration.retests)
                states.append((result.unit, state))
            }
            // Units the worker did not report go back to the queue: it did not run them.
            let unreported = units.values.filter { !seen.contains($0.unit) && $0.state == .leased && $0.leaseID == leaseID }
            if !unreported.isEmpty {
                let ordinals = PostgresNumbers.array(unreported.map(\.ordinal))
                try db.query(
                    "UPDATE orchestration_units SET state = 'pending', lease_id = NULL WHERE run_id = $1 AND ordinal = ANY ($2::integer[])",
                    [runID.text, ordinals])
                try db.query(
                    """
                    UPDATE orchestration_attempts SET outcome = 'unreported', ended_at = now()
                    WHERE run_id = $1 AND ordinal = ANY ($2::integer[]) AND lease_id = $3 AND outcome IS NULL
                    """, [runID.text, ordinals, leaseID.text])
            }
            let answer: JSON = ["accepted": JSON(accepted), "late": JSON(late)]
            try db.query(
                """
                UPDATE orchestration_leases SET state = CASE WHEN state = 'active' THEN 'completed' ELSE state END,
                    ended_at = coalesce(ended_at, now()), answer = $2::jsonb
                WHERE id = $1
                """, [leaseID.text, String(decoding: answer.serialized(), as: UTF8.self)])
            try UnitHistory(db: db).record(samples, projectID: orchestration.projectID)
            try touchWorker(runID, worker: worker)
            guard running else {
                return CompletionOutcome(
                    accepted: accepted, late: late, units: states, finished: nil, failFastTriggered: false, repeated: false)
            }
            let failFast = try applyFailFast(orchestration)
            let finished = try finishIfDecided(runID)
            return CompletionOutcome(
                accepted: accepted, late: late, units: states, finished: finished, failFastTriggered: failFast, repeated: false)
        }
    }

    /// The unit's new state after a live result: decided, or queued for a retest.
    private func decide(_ unit: LeaseUnit, result: UnitResult, worker: String, runID: RunID, retests: Int) throws -> UnitState {
        let state: UnitState
        var pass = unit.pass
        var failed = unit.failedTries
        switch result.outcome {
        case .skipped:
            state = .skipped
        case .passed, .failed, .errored:
            if result.outcome.isFailure { failed += 1 }
            switch Retests.verdict(passed: result.outcome == .passed, attempt: unit.pass, retests: retests) {
            case .passed: state = .passed
            case .flaky: state = .flaky
            case .retest(let next):
                state = .pending
                pass = next
            case .failed: state = result.outcome == .errored ? .errored : .failed
            }
        }
        try db.query(
            """
            UPDATE orchestration_units SET state = $3, lease_id = NULL, pass = $4::integer, failed_tries = $5::integer,
                ran_on = CASE WHEN $6 = ANY (ran_on) THEN ran_on ELSE array_append(ran_on, $6) END
            WHERE run_id = $1 AND ordinal = $2::integer
            """, [runID.text, String(unit.ordinal), state.rawValue, String(pass), String(failed), worker])
        return state
    }

    /// With `fail_fast` N: once N units have failed, nothing more is handed out; what waits in
    /// the queue is abandoned, and the leases out finish what they hold.
    private func applyFailFast(_ orchestration: OrchestrationRow) throws -> Bool {
        guard let limit = orchestration.failFast else { return false }
        let failed: Int = try db.query(
            "SELECT count(*) AS n FROM orchestration_units WHERE run_id = $1 AND failed_tries > 0", [orchestration.runID.text]
        ).first!.decode("n")
        guard failed >= limit else { return false }
        let abandoned = try db.query(
            "UPDATE orchestration_units SET state = 'abandoned' WHERE run_id = $1 AND state = 'pending'", [orchestration.runID.text]
        ).affectedRows
        try db.query(
            "UPDATE orchestrations SET stop_reason = 'fail_fast' WHERE run_id = $1 AND stop_reason IS NULL", [orchestration.runID.text])
        return abandoned > 0
    }

    /// Ends the orchestration, and its report run, once no unit is pending or leased.
    func finishIfDecided(_ runID: RunID) throws -> OrchestrationStatus? {
        let open: Int = try db.query(
            "SELECT count(*) AS n FROM orchestration_units WHERE run_id = $1 AND state IN ('pending', 'leased')", [runID.text]
        ).first!.decode("n")
        guard open == 0 else { return nil }
        let ended = try db.query(
            "UPDATE orchestrations SET status = 'completed', completed_at = now() WHERE run_id = $1 AND status = 'running'", [runID.text]
        ).affectedRows
        guard ended == 1 else { return nil }
        try db.query(
            """
            UPDATE runs SET status = 'completed', completed_at = now(), last_activity_at = now(),
                ended_at = GREATEST(ended_at, now()), started_at = LEAST(started_at, (SELECT created_at FROM orchestrations WHERE run_id = $1))
            WHERE id = $1
            """, [runID.text])
        return .completed
    }

    /// Pushes the lease's deadline out by the run's lease length.
    public func heartbeat(_ runID: RunID, worker: String, lease leaseID: LeaseID, for access: TeamAccess) throws -> String {
        try db.transaction {
            let orchestration = try self.orchestration(runID, for: access)
            let lease = try self.lease(leaseID, runID: runID, worker: worker)
            guard lease.state == "active", orchestration.status == .running else { throw Self.ended(leaseID, state: lease.state) }
            try touchWorker(runID, worker: worker)
            return try db.query(
                """
                UPDATE orchestration_leases SET deadline = now() + make_interval(secs => $2::integer) WHERE id = $1
                RETURNING rfc3339(deadline) AS deadline
                """, [leaseID.text, String(orchestration.leaseSeconds)]
            ).first!.decode("deadline")
        }
    }

    /// Gives a lease back (a worker stopped by Ctrl-C or SIGTERM): its units return to the
    /// queue untried. Giving back a lease that already ended changes nothing.
    public func release(_ runID: RunID, worker: String, lease leaseID: LeaseID, for access: TeamAccess) throws -> [String] {
        try db.transaction {
            _ = try self.orchestration(runID, for: access)
            let lease = try self.lease(leaseID, runID: runID, worker: worker)
            guard lease.state == "active" else { return [] }
            try db.query("UPDATE orchestration_leases SET state = 'released', ended_at = now() WHERE id = $1", [leaseID.text])
            try db.query(
                "UPDATE orchestration_attempts SET outcome = 'released', ended_at = now() WHERE lease_id = $1 AND outcome IS NULL",
                [leaseID.text])
            return try db.query(
                """
                UPDATE orchestration_units SET state = 'pending', lease_id = NULL
                WHERE lease_id = $1 AND state = 'leased' RETURNING unit
                """, [leaseID.text]
            ).rows.map { try $0.decode("unit") }
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
        try db.query(
            """
            UPDATE orchestrations SET status = $2, stop_reason = coalesce(stop_reason, $3), completed_at = now()
            WHERE run_id = $1
            """, [runID.text, status.rawValue, reason])
        try db.query(
            "UPDATE orchestration_units SET state = 'abandoned' WHERE run_id = $1 AND state IN ('pending', 'leased')", [runID.text])
        try db.query(
            "UPDATE orchestration_leases SET state = 'cancelled', ended_at = now() WHERE run_id = $1 AND state = 'active'", [runID.text])
        try db.query(
            "UPDATE orchestration_attempts SET outcome = 'cancelled', ended_at = now() WHERE run_id = $1 AND outcome IS NULL", [runID.text])
        try db.query("UPDATE runs SET status = 'incomplete', last_activity_at = now() WHERE id = $1", [runID.text])
    }

    // MARK: reading a lease

    struct LeaseRow {
        var state: String
        var answer: JSON?
    }

    struct LeaseUnit {
        var ordinal: Int
        var unit: String
        var state: UnitState
        var leaseID: LeaseID?
        var pass: Int
        var failedTries: Int
    }

    func lease(_ leaseID: LeaseID, runID: RunID, worker: String) throws -> LeaseRow {
        guard
            let row = try db.query(
                // Locked before any of its units: a checkout reclaiming it locks it first too.
                "SELECT worker, state, answer::text AS answer FROM orchestration_leases WHERE id = $1 AND run_id = $2 FOR NO KEY UPDATE",
                [leaseID.text, runID.text]
            ).first
        else { throw ServiceError.notFound("\(leaseID.named) of \(runID.named)") }
        let holder: String = try row.decode("worker")
        guard holder == worker else {
            throw ServiceError.refused(.leaseNotHeld, "\(leaseID.named) belongs to worker \"\(holder)\", not \"\(worker)\"")
        }
        let answer = try row.decodeIfPresent("answer", as: String.self).flatMap { try? JSON.parse(Array($0.utf8)) }
        return LeaseRow(state: try row.decode("state"), answer: answer)
    }

    /// The lease's units, keyed by id, as they stand now.
    private func leaseUnits(_ leaseID: LeaseID, runID: RunID) throws -> [String: LeaseUnit] {
        var units: [String: LeaseUnit] = [:]
        for row in try db.query(
            """
            SELECT u.ordinal, u.unit, u.state, u.lease_id, u.pass, u.failed_tries
            FROM orchestration_attempts a JOIN orchestration_units u ON u.run_id = a.run_id AND u.ordinal = a.ordinal
            WHERE a.lease_id = $1 AND a.run_id = $2
            ORDER BY u.ordinal FOR NO KEY UPDATE OF u
            """, [leaseID.text, runID.text]
        ).rows {
            let unit = LeaseUnit(
                ordinal: try row.decode("ordinal"), unit: try row.decode("unit"), state: try row.decode("state"),
                leaseID: try row.decodeIfPresent("lease_id"), pass: try row.decode("pass"), failedTries: try row.decode("failed_tries"))
            units[unit.unit] = unit
        }
        return units
    }

    private func touchWorker(_ runID: RunID, worker: String) throws {
        try db.query("UPDATE orchestration_workers SET last_seen = now() WHERE run_id = $1 AND worker = $2", [runID.text, worker])
    }

    static func ended(_ leaseID: LeaseID, state: String) -> ServiceError {
        .refused(
            .leaseEnded,
            "\(leaseID.named) is \(state == "active" ? "no longer running: the orchestration ended" : state); check out again")
    }
}
