import VerdictDB
import VerdictDispatch

/// How long a project's units take, as the dispatcher plans by: an exponentially weighted mean
/// and variance per unit id, updated by every try an orchestration records, and, for a unit no
/// orchestration has run yet, the project's uploaded reports (a file sums its tests; a pytest
/// node id `file::name` is one test).
public struct UnitHistory {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Reports read for units without their own history: the project's latest completed runs.
    static let reportRuns = 3

    public func history(of projectID: ProjectID, for units: [String]) throws -> [String: DurationStats] {
        var history: [String: DurationStats] = [:]
        for row in try db.query(
            "SELECT unit, mean_ms, variance, samples FROM unit_durations WHERE project_id = $1", [projectID.text]
        ).rows {
            history[try row.decode("unit")] = DurationStats(
                meanMs: try row.decode("mean_ms"), varianceMs2: try row.decode("variance"), samples: try row.decode("samples"))
        }
        let unknown = units.filter { history[$0] == nil }
        guard !unknown.isEmpty else { return history }
        // Per run, each file's total and each test's time; then their mean over the runs.
        let rows = try db.query(
            """
            WITH recent AS (
                SELECT id FROM runs WHERE project_id = $1 AND status = 'completed' ORDER BY created_at DESC LIMIT $3::integer
            ), per_run AS (
                SELECT c.run_id, c.file AS unit, sum(coalesce(c.duration_ms, 0)) AS ms
                FROM cases c WHERE c.run_id IN (SELECT id FROM recent) AND c.file = ANY ($2::text[])
                GROUP BY c.run_id, c.file
                UNION ALL
                SELECT c.run_id, c.file || '::' || c.title AS unit, sum(coalesce(c.duration_ms, 0)) AS ms
                FROM cases c WHERE c.run_id IN (SELECT id FROM recent) AND c.file IS NOT NULL
                  AND c.file || '::' || c.title = ANY ($2::text[])
                GROUP BY c.run_id, c.file, c.title
            )
            SELECT unit, avg(ms) AS mean_ms, coalesce(var_pop(ms), 0) AS variance, count(*) AS samples FROM per_run GROUP BY unit
            """, [projectID.text, postgresTextArray(unknown), String(Self.reportRuns)]
        ).rows
        for row in rows {
            history[try row.decode("unit")] = DurationStats(
                meanMs: try row.decode("mean_ms"), varianceMs2: try row.decode("variance"), samples: try row.decode("samples"))
        }
        return history
    }

    /// Folds a finished run into the history: each unit's last measured try (a skip measures
    /// nothing). Late results that arrive after the run ended are kept with the run only.
    func recordRun(_ runID: RunID, projectID: ProjectID) throws {
        var samples: [String: Double] = [:]
        for row in try db.query(
            prepared:
                """
                SELECT DISTINCT ON (a.unit_id) u.unit, a.duration_ms FROM orchestration_attempts a
                JOIN orchestration_units u ON u.id = a.unit_id
                WHERE a.run_id = $1 AND a.duration_ms IS NOT NULL AND a.outcome <> 'skipped'
                ORDER BY a.unit_id, a.ended_at DESC NULLS LAST, a.attempt DESC
                """, [runID.text]
        ).rows {
            samples[try row.decode("unit")] = try row.decode("duration_ms")
        }
        try record(samples, projectID: projectID)
    }

    /// Folds one run's measured tries into the history: one sample per unit (a unit tried twice
    /// in the run contributes its last try).
    func record(_ samples: [String: Double], projectID: ProjectID) throws {
        guard !samples.isEmpty else { return }
        let units = samples.keys.sorted()
        var current: [String: DurationStats] = [:]
        for row in try db.query(
            prepared:
                """
                SELECT unit, mean_ms, variance, samples FROM unit_durations
                WHERE project_id = $1 AND unit = ANY ($2::text[]) ORDER BY unit FOR UPDATE
                """, [projectID.text, postgresTextArray(units)]
        ).rows {
            current[try row.decode("unit")] = DurationStats(
                meanMs: try row.decode("mean_ms"), varianceMs2: try row.decode("variance"), samples: try row.decode("samples"))
        }
        let updated = units.map { unit in
            current[unit].map { $0.updated(with: samples[unit]!) } ?? DurationStats(meanMs: max(0, samples[unit]!), samples: 1)
        }
        try db.query(
            prepared:
                """
                INSERT INTO unit_durations (project_id, unit, mean_ms, variance, samples)
                SELECT $1, u.unit, u.mean_ms, u.variance, u.samples
                FROM unnest($2::text[], $3::double precision[], $4::double precision[], $5::integer[]) AS u (unit, mean_ms, variance, samples)
                ON CONFLICT (project_id, unit) DO UPDATE
                SET mean_ms = EXCLUDED.mean_ms, variance = EXCLUDED.variance, samples = EXCLUDED.samples, updated_at = now()
                """,
            [
                projectID.text, postgresTextArray(units), postgresNumberArray(updated.map(\.meanMs)),
                postgresNumberArray(updated.map(\.varianceMs2)), postgresNumberArray(updated.map { Double($0.samples) }),
            ])
    }
}
