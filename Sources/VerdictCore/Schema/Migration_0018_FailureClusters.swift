import VerdictDB
import VerdictInsights

// Failure clusters. Every case that failed (or failed before a retry passed) carries the
// fingerprint of the failure that decided it (`VerdictInsights.FailureFingerprint`: error type,
// masked message, the project's own top frames), computed at ingest; the id is a content hash,
// so the same failure has the same cluster id in every run. `failure_clusters` keeps, per
// project, what the cluster looks like and when it was first and last seen (a gate asks whether
// a run brought a cluster no earlier run had). The two partial indexes hold failures only, a
// few percent of the cases. `failure_categories` are a project's own rules (regular
// expressions, first match wins) that name clusters: applied when read, so editing them needs
// no rewrite.
let migration0018FailureClusters = Migration(
    version: 18, name: "failure_clusters",
    sql: """
        ALTER TABLE cases ADD COLUMN cluster_id uuid;
        CREATE INDEX cases_run_clusters ON cases (run_id, cluster_id) WHERE cluster_id IS NOT NULL;
        CREATE INDEX cases_cluster ON cases (cluster_id) WHERE cluster_id IS NOT NULL;

        CREATE TABLE failure_clusters (
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            id uuid NOT NULL,
            error_type text,
            template text NOT NULL,
            frames text[] NOT NULL DEFAULT '{}',
            first_seen_at timestamptz NOT NULL DEFAULT now(),
            first_run_id uuid NOT NULL,
            last_seen_at timestamptz NOT NULL DEFAULT now(),
            last_run_id uuid NOT NULL,
            occurrences bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (project_id, id)
        );
        CREATE INDEX failure_clusters_id ON failure_clusters (id);

        CREATE TABLE failure_categories (
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            position integer NOT NULL CHECK (position >= 0),
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            pattern text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 1000),
            PRIMARY KEY (project_id, position)
        );
        """,
    data: { db in try ClusterBackfill(db: db).run() })

/// Fingerprints the failures stored before clusters existed, a batch at a time, oldest run
/// first (so a cluster's first sighting is its earliest run).
struct ClusterBackfill {
    let db: PostgresConnection
    static let batch = 2_000

    func run() throws {
        var after: String?
        while true {
            let rows = try db.query(
                """
                SELECT c.id, c.run_id, r.project_id, rfc3339(r.created_at) AS seen, a.error_types[1] AS type,
                    a.error_messages[1] AS message, a.error_stacks[1] AS stack, c.error_message
                FROM cases c JOIN runs r ON r.id = c.run_id
                LEFT JOIN LATERAL (
                    SELECT error_types, error_messages, error_stacks FROM attempts a
                    WHERE a.case_id = c.id AND a.status IN ('failed', 'errored') AND a.error_messages IS NOT NULL
                    ORDER BY CASE WHEN c.status = 'flaky' THEN a.attempt ELSE -a.attempt END LIMIT 1
                ) a ON true
                WHERE c.status IN ('failed', 'errored', 'flaky') AND ($1::uuid IS NULL OR c.id > $1::uuid)
                ORDER BY c.id LIMIT $2::integer
                """, [after, String(Self.batch)]
            ).rows
            guard let last = rows.last else { return }
            var byRun: [String: (project: String, seen: String, recorder: ClusterRecorder)] = [:]
            var caseIDs: [String] = []
            var clusterIDs: [String] = []
            for row in rows {
                let type: String? = try row.decodeIfPresent("type")
                let message: String? = try row.decodeIfPresent("message") ?? row.decodeIfPresent("error_message")
                let stack: String? = try row.decodeIfPresent("stack")
                guard type != nil || message != nil || stack != nil else { continue }
                let fingerprint = FailureFingerprint(errorType: type, message: message, stack: stack)
                let runID: String = try row.decode("run_id")
                let project: String = try row.decode("project_id")
                let seenAt: String = try row.decode("seen")
                byRun[runID, default: (project, seenAt, ClusterRecorder())].recorder.add(fingerprint, failing: false)
                caseIDs.append(try row.decode("id"))
                clusterIDs.append(fingerprint.id.uuid)
            }
            try db.query(
                """
                UPDATE cases c SET cluster_id = u.cluster_id
                FROM unnest($1::uuid[], $2::uuid[]) AS u (id, cluster_id) WHERE c.id = u.id
                """, [postgresTextArray(caseIDs), postgresTextArray(clusterIDs)])
            for (runID, entry) in byRun.sorted(by: { $0.value.seen < $1.value.seen }) {
                try entry.recorder.saveProjectClusters(projectID: entry.project, runID: runID, seenAt: entry.seen, db: db)
            }
            after = try last.decode("id")
        }
    }
}
