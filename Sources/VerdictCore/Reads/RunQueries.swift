import VerdictDB

/// Reads of runs and their reports.
///
/// The optional filters are written `($n IS NULL OR …)`: libpq's unnamed statements are planned
/// with the actual parameter values, so an absent filter folds away and the planner still picks
/// the matching `runs_*_created` index.
public struct RunQueries {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Newest first.
    public func list(_ filter: RunFilter, limit: Int, after cursor: PageCursor?) throws -> Page<RunSummary> {
        let position = try ReadCursor.timestamp(cursor)
        let rows = try db.query(
            """
            SELECT \(Self.columns) FROM runs r JOIN projects p ON p.id = r.project_id
            WHERE ($1::text IS NULL OR p.name = $1)
              AND ($2::text IS NULL OR r.branch = $2)
              AND ($3::text IS NULL OR r.status = $3)
              AND ($4::timestamptz IS NULL OR r.created_at >= $4::timestamptz)
              AND ($5::timestamptz IS NULL OR r.created_at < $5::timestamptz)
              AND ($6::timestamptz IS NULL OR (r.created_at, r.id) < ($6::timestamptz, $7::uuid))
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT $8
            """,
            [
                filter.project, filter.branch, filter.status?.rawValue, filter.since, filter.until, position?.createdAt, position?.id,
                String(limit + 1),
            ]
        ).rows
        return Page.from(rows, limit: limit, item: Self.summary) { PageCursor(sortKey: $0.string("created"), id: $0.string("id")) }
    }

    public func get(id: String) throws -> RunDetail {
        let runID = try ReadParameter.uuid(id, field: "id")
        guard
            let row = try db.query("SELECT \(Self.columns) FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = $1", [runID])
                .first
        else { throw ServiceError.notFound("run \(runID)") }
        let reports = try db.query(
            """
            SELECT id, shard, format, status, tool_name, tool_version, tests, passed, failed, skipped, errors, flaky, duration_ms,
                   rfc3339(started_at) AS started, rfc3339(completed_at) AS completed,
                   jsonb_array_length(warnings) AS warning_count, run_errors
            FROM reports WHERE run_id = $1
            ORDER BY shard, id
            """, [runID]
        ).rows.map(Self.report)
        return RunDetail(run: Self.summary(row), reports: reports)
    }

    /// Fails with `.notFound` unless the run exists; lists of a run's contents use it to tell
    /// an empty run from an unknown one.
    func requireRun(_ runID: String) throws {
        guard try db.query("SELECT 1 FROM runs WHERE id = $1", [runID]).first != nil else {
            throw ServiceError.notFound("run \(runID)")
        }
    }

    static let columns = """
        r.id, p.name AS project, r.commit_sha, r.branch, r.ci_run_id, r.ci_run_attempt, r.name, r.status,
        r.tests, r.passed, r.failed, r.skipped, r.errors, r.flaky, r.total_reports_expected, r.reports_completed,
        rfc3339(r.created_at) AS created, rfc3339(r.started_at) AS started,
        (extract(epoch FROM r.ended_at - r.started_at) * 1000)::double precision AS duration,
        rfc3339(r.last_activity_at) AS last_activity, rfc3339(r.completed_at) AS completed
        """

    static func summary(_ row: Row) -> RunSummary {
        RunSummary(
            id: row.string("id"), project: row.string("project"), commit: row.string("commit_sha"), branch: row.string("branch"),
            ciRunID: row.string("ci_run_id"), ciRunAttempt: row.int("ci_run_attempt") ?? 1, name: row.string("name"),
            status: row.string("status"), totals: ResultTotals(row), totalReportsExpected: row.int("total_reports_expected") ?? 0,
            reportsCompleted: row.int("reports_completed") ?? 0, createdAt: row.string("created"), startedAt: row["started"],
            durationMilliseconds: row.double("duration"), lastActivityAt: row.string("last_activity"), completedAt: row["completed"])
    }

    static func report(_ row: Row) -> StoredReportSummary {
        StoredReportSummary(
            id: row.string("id"), shard: row.string("shard"), format: row["format"], status: row.string("status"),
            toolName: row["tool_name"], toolVersion: row["tool_version"], totals: ResultTotals(row),
            durationMilliseconds: row.double("duration_ms"), startedAt: row["started"], completedAt: row["completed"],
            warningCount: row.int("warning_count") ?? 0, runErrors: row.json("run_errors"))
    }
}
