import VerdictDB

/// Everything a `complete` writes, as one statement whatever the batch size: the lease's tries
/// ended, its units moved on, the work sent back to the queue, the lease closed with its answer
/// and the worker seen. A completion holds its units' rows while it writes; a statement per
/// unit (or per table) made every completion of a busy run wait on the ones before it, and each
/// statement is a round trip. Rows are named by their ids (the lease's), so the plan is an
/// index lookup even before a new run has statistics.
struct LeaseResultsWrite {
    private var tryUnits: [Int64] = []
    private var outcomes: [String] = []
    private var durations: [String?] = []
    private var errors: [String?] = []
    private var late: [String] = []

    private var units: [Int64] = []
    private var states: [String] = []
    private var passes: [Int] = []
    private var failed: [Int] = []
    private var ran: [String] = []

    /// Expected work that went back to the queue (retests, units the worker did not report).
    var requeuedMs = 0.0

    /// Units moved to a new state.
    var decidedCount: Int { units.count }

    mutating func recordTry(unitID: Int64, result: UnitResult, late isLate: Bool) {
        tryUnits.append(unitID)
        outcomes.append(result.outcome.rawValue)
        durations.append(result.durationMs.map { "\($0)" })
        errors.append(result.error.map { String($0.prefix(UnitResult.errorLimit)) })
        late.append(isLate ? "true" : "false")
    }

    /// A try that ended without a result (`unreported`).
    mutating func recordTry(unitID: Int64, outcome: String) {
        tryUnits.append(unitID)
        outcomes.append(outcome)
        durations.append(nil)
        errors.append(nil)
        late.append("false")
    }

    /// `ran`: the worker tried it (so a retest prefers another); false for a unit handed back.
    mutating func decide(unitID: Int64, state: UnitState, pass: Int, failedTries: Int, ran didRun: Bool = true) {
        units.append(unitID)
        states.append(state.rawValue)
        passes.append(pass)
        failed.append(failedTries)
        ran.append(didRun ? "true" : "false")
    }

    /// Writes it all; `commit` sends the transaction's COMMIT with it. Answers whether any unit
    /// of the run is still open (pending or leased) as far as this transaction can tell: one
    /// decided by another completion at the same moment may still look open, and then that
    /// completion, the next checkout or the reaper ends the run.
    func apply(leaseID: LeaseID, runID: RunID, worker: String, answer: String, commit: Bool, db: PostgresConnection) throws -> Bool {
        let sql = """
            WITH tries AS (
                UPDATE orchestration_attempts a
                SET outcome = r.outcome, duration_ms = r.duration_ms, error = r.error, late = r.late,
                    ended_at = coalesce(a.ended_at, clock_timestamp())
                FROM unnest($2::bigint[], $3::text[], $4::double precision[], $5::text[], $6::boolean[])
                    AS r (unit_id, outcome, duration_ms, error, late)
                WHERE a.lease_id = $1 AND a.unit_id = r.unit_id
            ), decided AS (
                UPDATE orchestration_units u
                SET state = r.state, lease_id = NULL, pass = r.pass, failed_tries = r.failed_tries,
                    ran_on = CASE WHEN NOT r.ran OR $7 = ANY (u.ran_on) THEN u.ran_on ELSE array_append(u.ran_on, $7) END
                FROM unnest($8::bigint[], $9::text[], $10::integer[], $11::integer[], $12::boolean[])
                    AS r (id, state, pass, failed_tries, ran)
                WHERE u.id = ANY ($8::bigint[]) AND u.id = r.id
                RETURNING u.state
            ), ledger AS (
                UPDATE orchestrations SET requeued_ms = requeued_ms + $13::double precision
                WHERE run_id = $14 AND $13::double precision <> 0
            ), closed AS (
                UPDATE orchestration_leases SET state = CASE WHEN state = 'active' THEN 'completed' ELSE state END,
                    ended_at = coalesce(ended_at, now()), answer = $15::jsonb
                WHERE id = $1
            ), seen AS (
                UPDATE orchestration_workers SET last_seen = now() WHERE run_id = $14 AND worker = $7
            )
            SELECT EXISTS (SELECT 1 FROM decided WHERE state IN ('pending', 'leased'))
                OR EXISTS (SELECT 1 FROM orchestration_units WHERE run_id = $14 AND state = 'pending' AND id <> ALL ($8::bigint[]))
                OR EXISTS (SELECT 1 FROM orchestration_units WHERE run_id = $14 AND state = 'leased' AND id <> ALL ($8::bigint[]))
                AS open
            """
        let parameters: [String?] = [
            leaseID.text, postgresNumberArray(tryUnits), postgresTextArray(outcomes), postgresNullableTextArray(durations),
            postgresNullableTextArray(errors), postgresTextArray(late), worker, postgresNumberArray(units), postgresTextArray(states),
            postgresNumberArray(passes), postgresNumberArray(failed), postgresTextArray(ran), "\(requeuedMs)", runID.text, answer,
        ]
        let row = try (commit ? db.commit(afterPrepared: sql, parameters) : db.query(prepared: sql, parameters)).first
        return try row?.decode("open") ?? true
    }
}
