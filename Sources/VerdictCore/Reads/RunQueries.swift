import VerdictDB

/// Reads of runs and their reports, as far as the viewer may see them (`Visibility`): a run
/// the viewer may not see is "not found", exactly like one that does not exist.
///
/// The optional filters are written `($n IS NULL OR …)`: libpq's unnamed statements are planned
/// with the actual parameter values, so an absent filter folds away and the planner still picks
/// the matching `runs_*_created` index.
public struct RunQueries {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Newest first.
    public func list(_ filter: RunFilter, as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws -> Page<RunSummary> {
        let position = try ReadCursor.timestamp(cursor)
        let rows = try db.query(
            """
            SELECT \(Self.columns) FROM runs r JOIN projects p ON p.id = r.project_id \(Visibility.join())
            WHERE ($1::text IS NULL OR p.name = $1)
              AND ($2::text IS NULL OR r.branch = $2)
              AND ($3::text IS NULL OR r.status = $3)
              AND ($4::timestamptz IS NULL OR r.created_at >= $4::timestamptz)
              AND ($5::timestamptz IS NULL OR r.created_at < $5::timestamptz)
              AND ($6::timestamptz IS NULL OR (r.created_at, r.id) < ($6::timestamptz, $7::uuid))
              AND ($10::text IS NULL OR starts_with(r.commit_sha, $10))
              AND ($11::text IS NULL OR r.ci_run_id = $11)
              AND ($12::uuid IS NULL OR r.project_id = $12::uuid)
              AND \(Visibility.condition(viewer: "$9"))
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT $8
            """,
            [
                filter.project, filter.branch, filter.status?.rawValue, filter.since, filter.until, position?.createdAt, position?.id,
                String(limit + 1), viewer.parameter, filter.commitPrefix, filter.ciRunID,
                filter.projectID?.text,
            ]
        ).rows
        return try Page.from(rows, limit: limit, item: Self.summary) {
            PageCursor(sortKey: try $0.decode("created"), id: try $0.decode("id"))
        }
    }

    public func get(_ runID: RunID, as viewer: Viewer) throws -> RunDetail {
        guard
            // Prepared: every view of a run page and every run read starts here.
            let row = try db.query(prepared:
                """
                SELECT \(Self.columns) FROM runs r JOIN projects p ON p.id = r.project_id \(Visibility.join())
                WHERE r.id = $1 AND \(Visibility.condition(viewer: "$2"))
                """, [runID.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(runID.named) }
        let reports = try db.query(prepared:
            """
            SELECT id, shard, format, status, tool_name, tool_version, tests, passed, failed, skipped, errors, flaky, duration_ms,
                   rfc3339(started_at) AS started, rfc3339(completed_at) AS completed,
                   jsonb_array_length(warnings) AS warning_count, run_errors
            FROM reports WHERE run_id = $1
            ORDER BY shard, id
            """, [runID.text]
        ).rows.map { row in try Self.report(row) }
        return RunDetail(run: try Self.summary(row), reports: reports)
    }

    /// Fails with `.notFound` unless the run exists and the viewer may see it; reads of a run's
    /// contents ask it first, so an unknown run and a hidden one answer alike.
    public func requireVisible(_ runID: RunID, as viewer: Viewer) throws {
        let visible = try db.query(
            """
            SELECT 1 FROM runs r JOIN projects p ON p.id = r.project_id \(Visibility.join())
            WHERE r.id = $1 AND \(Visibility.condition(viewer: "$2"))
            """, [runID.text, viewer.parameter]
        ).first
        guard visible != nil else { throw ServiceError.notFound(runID.named) }
    }

    static let columns = """
        r.id, r.project_id, p.name AS project, p.repository_url, r.commit_sha, r.branch, r.ci_run_id, r.ci_run_attempt, r.name, r.status,
        r.tests, r.passed, r.failed, r.skipped, r.errors, r.flaky, r.total_reports_expected, r.reports_completed,
        rfc3339(r.created_at) AS created, rfc3339(r.started_at) AS started,
        (extract(epoch FROM r.ended_at - r.started_at) * 1000)::double precision AS duration,
        rfc3339(r.last_activity_at) AS last_activity, rfc3339(r.completed_at) AS completed, r.orchestrated
        """

    static func summary(_ row: Row) throws -> RunSummary {
        RunSummary(
            id: try row.decode("id"), projectID: try row.decode("project_id"), project: try row.decode("project"),
            repositoryURL: try row.decodeIfPresent("repository_url"),
            commit: try row.decode("commit_sha"),
            branch: try row.decode("branch"), ciRunID: try row.decode("ci_run_id"), ciRunAttempt: try row.decode("ci_run_attempt"),
            name: try row.decode("name"), status: try row.decode("status"), totals: try ResultTotals(row),
            totalReportsExpected: try row.decode("total_reports_expected"), reportsCompleted: try row.decode("reports_completed"),
            createdAt: try row.decode("created"), startedAt: try row.decodeIfPresent("started"),
            durationMilliseconds: try row.decodeIfPresent("duration"), lastActivityAt: try row.decode("last_activity"),
            completedAt: try row.decodeIfPresent("completed"), orchestrated: try row.decode("orchestrated"))
    }

    static func report(_ row: Row) throws -> StoredReportSummary {
        StoredReportSummary(
            id: try row.decode("id"), shard: try row.decode("shard"), format: try row.decodeIfPresent("format"),
            status: try row.decode("status"), toolName: try row.decodeIfPresent("tool_name"),
            toolVersion: try row.decodeIfPresent("tool_version"), totals: try ResultTotals(row),
            durationMilliseconds: try row.decodeIfPresent("duration_ms"), startedAt: try row.decodeIfPresent("started"),
            completedAt: try row.decodeIfPresent("completed"), warningCount: try row.decode("warning_count"),
            runErrors: try row.json("run_errors"))
    }
}
