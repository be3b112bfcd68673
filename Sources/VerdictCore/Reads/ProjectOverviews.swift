import VerdictDB

/// One run as a point on a project's trend: its outcome and how long it took.
public struct RunPoint: Sendable {
    public var id: RunID
    public var status: RunStatus
    public var createdAt: String
    public var totals: ResultTotals
    public var durationMilliseconds: Double?

    /// Passed (flaky included) over the tests that ran; nil when none ran.
    public var passRate: Double? { totals.passRate }
}

/// A project at a glance: its newest run on each of its most active branches and the trend of
/// its last runs, as the dashboard's front page shows it.
public struct ProjectOverview: Sendable {
    public var project: ProjectRecord
    /// Newest first, one per branch, at most `ProjectOverviews.branches` of them.
    public var latestByBranch: [RunSummary]
    /// Oldest first, at most `ProjectOverviews.trendLength`.
    public var trend: [RunPoint]
}

public struct ProjectOverviews {
    public static let branches = 5
    public static let trendLength = 30

    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// The projects the viewer may see, the most recently active first.
    public func list(as viewer: Viewer, limit: Int) throws -> [ProjectOverview] {
        let projects = try db.query(
            """
            SELECT \(ProjectService.columns) FROM projects p \(Visibility.join())
            LEFT JOIN LATERAL (SELECT max(created_at) AS last_run FROM runs WHERE project_id = p.id) lr ON true
            WHERE \(Visibility.condition(viewer: "$1"))
            ORDER BY lr.last_run DESC NULLS LAST, p.created_at DESC, p.id
            LIMIT $2
            """, [viewer.parameter, String(limit)]
        ).rows.map { row in try ProjectService.record(row) }
        return try overviews(of: projects)
    }

    /// One project, if the viewer may see it.
    public func get(_ projectID: ProjectID, as viewer: Viewer) throws -> ProjectOverview {
        guard
            let row = try db.query(
                """
                SELECT \(ProjectService.columns) FROM projects p \(Visibility.join())
                WHERE p.id = $1 AND \(Visibility.condition(viewer: "$2"))
                """, [projectID.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(projectID.named) }
        return try overviews(of: [try ProjectService.record(row)])[0]
    }

    func overviews(of projects: [ProjectRecord]) throws -> [ProjectOverview] {
        guard !projects.isEmpty else { return [] }
        let ids = postgresTextArray(projects.map(\.id.text))
        var latest: [ProjectID: [RunSummary]] = [:]
        for row in try db.query(
            """
            SELECT * FROM (
                SELECT b.*, row_number() OVER (PARTITION BY b.project_id ORDER BY b.created DESC) AS branch_rank FROM (
                    SELECT DISTINCT ON (r.project_id, r.branch) \(RunQueries.columns)
                    FROM runs r JOIN projects p ON p.id = r.project_id
                    WHERE r.project_id = ANY ($1::uuid[])
                    ORDER BY r.project_id, r.branch, r.created_at DESC, r.id DESC
                ) b
            ) ranked WHERE branch_rank <= $2
            ORDER BY project_id, branch_rank
            """, [ids, String(Self.branches)]
        ).rows {
            latest[try row.decode("project_id"), default: []].append(try RunQueries.summary(row))
        }
        var trends: [ProjectID: [RunPoint]] = [:]
        for row in try db.query(
            """
            SELECT pid.id AS project_id, t.* FROM unnest($1::uuid[]) AS pid(id)
            CROSS JOIN LATERAL (
                SELECT r.id, r.status, rfc3339(r.created_at) AS created, r.tests, r.passed, r.failed, r.skipped, r.errors, r.flaky,
                    (extract(epoch FROM r.ended_at - r.started_at) * 1000)::double precision AS duration, r.created_at AS sort_key
                FROM runs r WHERE r.project_id = pid.id ORDER BY r.created_at DESC, r.id DESC LIMIT $2
            ) t
            ORDER BY pid.id, t.sort_key
            """, [ids, String(Self.trendLength)]
        ).rows {
            trends[try row.decode("project_id"), default: []].append(
                RunPoint(
                    id: try row.decode("id"), status: try row.decode("status"), createdAt: try row.decode("created"),
                    totals: try ResultTotals(row), durationMilliseconds: try row.decodeIfPresent("duration")))
        }
        return projects.map { ProjectOverview(project: $0, latestByBranch: latest[$0.id] ?? [], trend: trends[$0.id] ?? []) }
    }
}

extension ResultTotals {
    /// Passed (flaky included) over the tests that ran, skipped ones aside; nil when none ran.
    public var passRate: Double? {
        let ran = tests - skipped
        guard ran > 0 else { return nil }
        return Double(passed + flaky) / Double(ran)
    }
}
