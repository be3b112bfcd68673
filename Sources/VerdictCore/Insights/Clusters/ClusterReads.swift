import VerdictDB
import VerdictJSON

/// A test that failed with a cluster's failure.
public struct ClusterTest: Sendable {
    public var testID: TestID
    public var fullTitle: String
    /// In a run's clusters: the case and its status; across runs: how often and when last.
    public var caseID: CaseID?
    public var status: CaseStatus?
    public var occurrences: Int?
    public var lastSeenAt: String?
}

/// How a cluster looks, wherever it is read: the reason its failures were grouped.
public struct ClusterLook: Sendable {
    public var id: ClusterID
    public var errorType: String?
    public var template: String
    public var frames: [String]
    /// The name the project's first matching category rule gives it.
    public var category: String?
    /// What the project's summary command last wrote about it, if anything.
    public var summary: ClusterSummary?
}

/// One failure cluster of a run.
public struct RunCluster: Sendable {
    public var look: ClusterLook
    /// Failed or errored cases of the run with it.
    public var count: Int
    public var testsTotal: Int
    /// Up to `ClusterReads.testsShown` of them (or as many as asked), in report order.
    public var tests: [ClusterTest]
    public var firstSeenAt: String
    public var firstRunID: RunID
    /// This run is the first of its project where the cluster was seen.
    public var isNew: Bool
}

/// A cluster across the runs the viewer may see.
public struct ClusterDetail: Sendable {
    public struct Sighting: Sendable {
        public var projectID: ProjectID
        public var project: String
        public var category: String?
        public var firstSeenAt: String
        public var firstRunID: RunID
        public var lastSeenAt: String
        public var lastRunID: RunID
        public var occurrences: Int
        public var summary: ClusterSummary?
    }

    public struct RunOccurrence: Sendable {
        public var runID: RunID
        public var project: String
        public var name: String
        public var branch: String
        public var commit: String
        public var createdAt: String
        public var failures: Int
    }

    public var look: ClusterLook
    public var projects: [Sighting]
    public var tests: [ClusterTest]
    public var runs: [RunOccurrence]
}

/// Reads a run's failure clusters and a cluster's history. A cluster's category is the name of
/// the first of its project's rules whose pattern matches its template or error type
/// (case-insensitive regular expressions, evaluated by PostgreSQL).
public struct ClusterReads {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public static let testsShown = 20
    static let detailTests = 50
    static let detailRuns = 50

    static func category(project: String, look: String = "f") -> String {
        """
        (SELECT fc.name FROM failure_categories fc
         WHERE fc.project_id = \(project) AND (\(look).template ~* fc.pattern OR coalesce(\(look).error_type, '') ~* fc.pattern)
         ORDER BY fc.position LIMIT 1)
        """
    }

    /// The run's failures (failed or errored cases) by cluster, largest first.
    /// - Parameter testsShown: how many of each cluster's cases to list (a page shows a few).
    public func clusters(
        of runID: RunID, as viewer: Viewer, limit: Int, after cursor: PageCursor?, testsShown: Int = ClusterReads.testsShown
    ) throws -> Page<RunCluster> {
        try RunQueries(db: db).requireVisible(runID, as: viewer)
        return try clusters(of: runID, limit: limit, after: cursor, testsShown: testsShown)
    }

    /// The clusters of a run the caller has already found visible (a run page, say).
    public func clusters(of runID: RunID, limit: Int, after cursor: PageCursor?, testsShown: Int = ClusterReads.testsShown) throws
        -> Page<RunCluster>
    {
        var afterCount: String?
        if let cursor {
            guard let count = Int(cursor.sortKey) else { throw ReadCursor.invalid() }
            afterCount = String(count)
        }
        let rows = try db.query(
            prepared: Self.runClusters(
                counted: """
                    SELECT cluster_id, failures AS n FROM run_clusters
                    WHERE run_id = $1 AND ($2::bigint IS NULL OR (failures, cluster_id) < ($2::bigint, $3::uuid))
                    ORDER BY failures DESC, cluster_id DESC LIMIT $4::integer
                    """, testsShown: "$5::integer"),
            [runID.text, afterCount, cursor?.id, String(limit + 1), String(max(0, testsShown))]
        ).rows
        return try Page.from(rows, limit: limit) { row in
            try Self.runCluster(row, of: runID)
        } cursor: { row in
            PageCursor(sortKey: String(try row.decode("n", as: Int.self)), id: try row.decode("cluster_id"))
        }
    }

    /// The clusters of `runID`'s failures (failed or errored) that none of `baseID`'s failures
    /// had, largest first, up to `limit`, and how many there are: what a comparison calls new.
    func introduced(in runID: RunID, since baseID: RunID, limit: Int) throws -> (clusters: [RunCluster], total: Int) {
        // Planned for its own runs each time: a prepared statement's generic plan, which
        // PostgreSQL switches to after five executions, took 0.7 s for two runs of 5,000
        // clusters each where the plan for the actual runs takes 25 ms.
        //
        // The clusters of head that base lacks are found by grouping both runs' clusters, not
        // by an anti-join: right after an upload the runs have no statistics, the planner
        // expects one cluster each, and its nested anti-join compared 4,000 clusters with
        // 2,500 one by one (10 million rows, 2 s). A grouping is linear whatever the estimate.
        // A base cluster counts 0 failures; head's count at least one.
        let rows = try db.query(
            Self.runClusters(
                counted: """
                    SELECT cluster_id, n, count(*) OVER () AS total FROM (
                        SELECT cluster_id, min(failures) AS n FROM (
                            SELECT cluster_id, failures FROM run_clusters WHERE run_id = $1
                            UNION ALL
                            SELECT cluster_id, 0 FROM run_clusters WHERE run_id = $2
                        ) AS both_runs
                        GROUP BY cluster_id HAVING min(failures) > 0
                    ) AS only_head
                    ORDER BY n DESC, cluster_id DESC LIMIT $3::integer
                    """, testsShown: String(Self.testsShown), extraColumns: "k.total,"),
            [runID.text, baseID.text, String(limit)]
        ).rows
        return (try rows.map { row in try Self.runCluster(row, of: runID) }, try rows.first?.decode("total") ?? 0)
    }

    /// The clusters `counted` lists (`cluster_id` and its failures `n`, for run $1, already
    /// ordered and cut to a page) with how each looks, how many tests it failed and its first
    /// `testsShown` failed cases in report order. The counts come from `run_clusters`, so only
    /// the clusters shown touch the run's cases.
    private static func runClusters(counted: String, testsShown: String, extraColumns: String = "") -> String {
        """
        WITH counted AS (\(counted))
        SELECT k.cluster_id, k.n, \(extraColumns) f.error_type, f.template, f.frames, rfc3339(f.first_seen_at) AS first_seen,
            f.first_run_id, \(category(project: "r.project_id")) AS category, \(summaryColumns),
            (SELECT count(DISTINCT c.test_id) FROM cases c
             WHERE c.run_id = $1 AND c.cluster_id = k.cluster_id AND c.status IN ('failed', 'errored')) AS tests_total,
            (SELECT json_agg(json_build_object('case_id', t.id, 'test_id', t.test_id, 'full_title', t.full_title, 'status', t.status))
             FROM (
                SELECT c.id, c.test_id, case_full_title(c.full_title, c.classname, c.title) AS full_title, c.status
                FROM cases c WHERE c.run_id = $1 AND c.cluster_id = k.cluster_id AND c.status IN ('failed', 'errored')
                ORDER BY c.report_id, c.ordinal LIMIT \(testsShown)
             ) t)::text AS tests
        FROM counted k JOIN runs r ON r.id = $1 JOIN failure_clusters f ON f.project_id = r.project_id AND f.id = k.cluster_id
        ORDER BY k.n DESC, k.cluster_id DESC
        """
    }

    private static func runCluster(_ row: Row, of runID: RunID) throws -> RunCluster {
        let firstRun: RunID = try row.decode("first_run_id")
        return RunCluster(
            look: try look(row, id: "cluster_id"), count: try row.decode("n"), testsTotal: try row.decode("tests_total"),
            tests: try (row.json("tests").arrayValue ?? []).map(runTest), firstSeenAt: try row.decode("first_seen"),
            firstRunID: firstRun, isNew: firstRun == runID)
    }

    /// Where a cluster was seen, in the projects the viewer may see; not found when none.
    public func detail(_ clusterID: ClusterID, as viewer: Viewer) throws -> ClusterDetail {
        let sightings = try db.query(
            prepared:
                """
                SELECT f.project_id, p.name AS project, f.id, f.error_type, f.template, f.frames,
                    rfc3339(f.first_seen_at) AS first_seen, f.first_run_id, rfc3339(f.last_seen_at) AS last_seen, f.last_run_id,
                    f.occurrences, \(Self.category(project: "f.project_id")) AS category, \(Self.summaryColumns)
                FROM failure_clusters f JOIN projects p ON p.id = f.project_id \(Visibility.join())
                WHERE f.id = $1 AND \(Visibility.condition(viewer: "$2"))
                ORDER BY f.last_seen_at DESC
                """, [clusterID.text, viewer.parameter]
        ).rows
        guard let first = sightings.first else { throw ServiceError.notFound(clusterID.named) }
        let projects = try sightings.map { row in
            ClusterDetail.Sighting(
                projectID: try row.decode("project_id"), project: try row.decode("project"), category: try row.decodeIfPresent("category"),
                firstSeenAt: try row.decode("first_seen"), firstRunID: try row.decode("first_run_id"),
                lastSeenAt: try row.decode("last_seen"), lastRunID: try row.decode("last_run_id"),
                occurrences: try row.decode("occurrences"), summary: try Self.summary(row))
        }
        let projectIDs = postgresTextArray(projects.map(\.projectID.text))
        let runs = try db.query(
            prepared:
                """
                SELECT c.run_id, count(*) AS failures, p.name AS project, r.name, r.branch, r.commit_sha, rfc3339(r.created_at) AS created
                FROM cases c JOIN runs r ON r.id = c.run_id JOIN projects p ON p.id = r.project_id
                WHERE c.cluster_id = $1 AND r.project_id = ANY ($2::uuid[])
                GROUP BY c.run_id, p.name, r.name, r.branch, r.commit_sha, r.created_at
                ORDER BY r.created_at DESC, c.run_id DESC LIMIT \(Self.detailRuns)
                """, [clusterID.text, projectIDs]
        ).rows.map { row in
            ClusterDetail.RunOccurrence(
                runID: try row.decode("run_id"), project: try row.decode("project"), name: try row.decode("name"),
                branch: try row.decode("branch"), commit: try row.decode("commit_sha"), createdAt: try row.decode("created"),
                failures: try row.decode("failures"))
        }
        let tests = try db.query(
            prepared:
                """
                SELECT t.test_id, t.n, t.last_seen, case_full_title(c.full_title, c.classname, c.title) AS full_title
                FROM (
                    SELECT c.test_id, count(*) AS n, (array_agg(c.id ORDER BY c.id DESC))[1] AS latest,
                        rfc3339(max(c.created_at)) AS last_seen
                    FROM cases c JOIN runs r ON r.id = c.run_id
                    WHERE c.cluster_id = $1 AND r.project_id = ANY ($2::uuid[])
                    GROUP BY c.test_id ORDER BY count(*) DESC, c.test_id LIMIT \(Self.detailTests)
                ) t JOIN cases c ON c.id = t.latest
                """, [clusterID.text, projectIDs]
        ).rows.map { row in
            ClusterTest(
                testID: try row.decode("test_id"), fullTitle: try row.decode("full_title"), occurrences: try row.decode("n"),
                lastSeenAt: try row.decode("last_seen"))
        }.sorted { ($0.occurrences ?? 0, $1.testID.text) > ($1.occurrences ?? 0, $0.testID.text) }
        return ClusterDetail(look: try Self.look(first, id: "id"), projects: projects, tests: tests, runs: runs)
    }

    static func look(_ row: Row, id: String) throws -> ClusterLook {
        ClusterLook(
            id: try row.decode(id), errorType: try row.decodeIfPresent("error_type"), template: try row.decode("template"),
            frames: try row.decode("frames"), category: try row.decodeIfPresent("category"), summary: try summary(row))
    }

    static let summaryColumns = "f.summary, rfc3339(f.summary_generated_at) AS summary_generated"

    static func summary(_ row: Row) throws -> ClusterSummary? {
        guard let text: String = try row.decodeIfPresent("summary") else { return nil }
        return ClusterSummary(text: text, generatedAt: try row.decode("summary_generated"))
    }

    static func runTest(_ json: JSON) throws -> ClusterTest {
        guard let testText = json["test_id"]?.stringValue, let test = TestID(testText), let caseText = json["case_id"]?.stringValue,
            let caseID = CaseID(caseText)
        else { throw ServiceError.refused(.internal, "a failure cluster's test came without its ids") }
        return ClusterTest(
            testID: test, fullTitle: json["full_title"]?.stringValue ?? "", caseID: caseID,
            status: json["status"]?.stringValue.flatMap(CaseStatus.init(rawValue:)))
    }
}
