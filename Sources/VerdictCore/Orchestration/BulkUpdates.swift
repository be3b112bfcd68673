import VerdictDB

// A lease's results are written with one statement per table, whatever the batch size: a
// completion holds its units' rows while it writes, and a statement per unit made every
// completion of a busy run wait on the ones before it. Rows are named by their ids (the
// lease's), so the plan is an index lookup even before the run has statistics.

/// The tries of one lease, ended with their outcomes.
struct AttemptUpdates {
    private var units: [Int64] = []
    private var outcomes: [String] = []
    private var durations: [String?] = []
    private var errors: [String?] = []
    private var late: [String] = []

    mutating func append(unitID: Int64, result: UnitResult, late isLate: Bool) {
        units.append(unitID)
        outcomes.append(result.outcome.rawValue)
        durations.append(result.durationMs.map { "\($0)" })
        errors.append(result.error.map { String($0.prefix(UnitResult.errorLimit)) })
        late.append(isLate ? "true" : "false")
    }

    /// A try that ended without a result (`unreported`).
    mutating func append(unitID: Int64, outcome: String) {
        units.append(unitID)
        outcomes.append(outcome)
        durations.append(nil)
        errors.append(nil)
        late.append("false")
    }

    func apply(leaseID: LeaseID, db: PostgresConnection) throws {
        guard !units.isEmpty else { return }
        try db.query(
            prepared:
                """
                UPDATE orchestration_attempts a
                SET outcome = r.outcome, duration_ms = r.duration_ms, error = r.error, late = r.late,
                    ended_at = coalesce(a.ended_at, clock_timestamp())
                FROM unnest($2::bigint[], $3::text[], $4::double precision[], $5::text[], $6::boolean[])
                    AS r (unit_id, outcome, duration_ms, error, late)
                WHERE a.lease_id = $1 AND a.unit_id = r.unit_id
                """,
            [
                leaseID.text, PostgresNumbers.array(units), postgresTextArray(outcomes),
                postgresNullableTextArray(durations), postgresNullableTextArray(errors), postgresTextArray(late),
            ])
    }
}

/// The units of one lease, moved to their next state.
struct UnitUpdates {
    private var units: [Int64] = []
    private var states: [String] = []
    private var passes: [Int] = []
    private var failed: [Int] = []
    private var ran: [String] = []

    var count: Int { units.count }

    /// `ran`: the worker tried it (so a retest prefers another); false for a unit handed back.
    mutating func append(unitID: Int64, state: UnitState, pass: Int, failedTries: Int, ran didRun: Bool = true) {
        units.append(unitID)
        states.append(state.rawValue)
        passes.append(pass)
        failed.append(failedTries)
        ran.append(didRun ? "true" : "false")
    }

    func apply(worker: String, db: PostgresConnection) throws {
        guard !units.isEmpty else { return }
        try db.query(
            prepared:
                """
                UPDATE orchestration_units u
                SET state = r.state, lease_id = NULL, pass = r.pass, failed_tries = r.failed_tries,
                    ran_on = CASE WHEN NOT r.ran OR $1 = ANY (u.ran_on) THEN u.ran_on ELSE array_append(u.ran_on, $1) END
                FROM unnest($2::bigint[], $3::text[], $4::integer[], $5::integer[], $6::boolean[])
                    AS r (id, state, pass, failed_tries, ran)
                WHERE u.id = ANY ($2::bigint[]) AND u.id = r.id
                """,
            [
                worker, PostgresNumbers.array(units), postgresTextArray(states), PostgresNumbers.array(passes),
                PostgresNumbers.array(failed), postgresTextArray(ran),
            ])
    }
}
