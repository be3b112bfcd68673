import VerdictDB
import VerdictInsights
import VerdictReports

/// The failure clusters one report (or one backfill batch of a run) brings: each fingerprint
/// once, with how many cases had it and how many of those failed; saved into the project's
/// `failure_clusters` and the run's `run_clusters` in one statement.
struct ClusterRecorder {
    private struct Seen {
        var fingerprint: FailureFingerprint
        var occurrences = 0
        /// Failed or errored cases: a flaky case's failure clusters it, but the run did not fail by it.
        var failures = 0
    }

    private var seen: [FingerprintID: Seen] = [:]

    var isEmpty: Bool { seen.isEmpty }

    mutating func add(_ fingerprint: FailureFingerprint, failing: Bool) {
        seen[fingerprint.id, default: Seen(fingerprint: fingerprint)].occurrences += 1
        if failing { seen[fingerprint.id]!.failures += 1 }
    }

    /// The fingerprint of the failure that decided a case, the same attempt and error its
    /// headline comes from (the last failing attempt, or for a flaky case the failure it
    /// recovered from); nil for a case that never failed, or whose failure says nothing.
    static func fingerprint(of testCase: ParsedCase) -> FailureFingerprint? {
        switch testCase.status {
        case .failed, .errored, .flaky: break
        default: return nil
        }
        let isFailing: (ParsedAttempt) -> Bool = { $0.status == .failed || $0.status == .errored }
        let attempts = testCase.attempts
        let index = testCase.status == .flaky ? attempts.firstIndex(where: isFailing) : attempts.lastIndex(where: isFailing)
        guard let index, let error = attempts[index].errors.first,
            error.type != nil || error.message != nil || error.stack != nil
        else { return nil }
        return FailureFingerprint(errorType: error.type, message: error.message, stack: error.stack)
    }

    /// Adds the clusters to the project, or counts them again: first seen stays, last seen
    /// moves; and adds the failures to the run's count of each. Rows are written in id order,
    /// so two shards of one run saving at once lock them in the same order.
    func save(projectID: String, runID: String, db: PostgresConnection) throws {
        try save(
            """
            WITH \(Self.entries), clusters AS (\(Self.projectUpsert))
            INSERT INTO run_clusters AS r (run_id, cluster_id, failures)
            SELECT $2, u.id, u.failures FROM u WHERE u.failures > 0
            ON CONFLICT (run_id, cluster_id) DO UPDATE SET failures = r.failures + EXCLUDED.failures
            """, projectID: projectID, runID: runID, seenAt: nil, db: db)
    }

    /// The project's clusters alone, as first seen at `seenAt`: the backfill of a schema
    /// that has no per-run counts yet (a later migration counts them from the cases).
    func saveProjectClusters(projectID: String, runID: String, seenAt: String, db: PostgresConnection) throws {
        try save("WITH \(Self.entries) \(Self.projectUpsert)", projectID: projectID, runID: runID, seenAt: seenAt, db: db)
    }

    private static let entries = """
        u AS (
            SELECT * FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $8::bigint[], $9::integer[])
                AS u (id, error_type, template, frames, occurrences, failures)
        )
        """

    private static let projectUpsert = """
        INSERT INTO failure_clusters AS f
            (project_id, id, error_type, template, frames, first_seen_at, first_run_id, last_seen_at, last_run_id, occurrences)
        SELECT $1, u.id, u.error_type, u.template, string_to_array(u.frames, E'\\n'), coalesce($7::timestamptz, now()), $2,
            coalesce($7::timestamptz, now()), $2, u.occurrences
        FROM u
        ON CONFLICT (project_id, id) DO UPDATE
        SET last_seen_at = greatest(f.last_seen_at, EXCLUDED.last_seen_at),
            last_run_id = CASE WHEN EXCLUDED.last_seen_at >= f.last_seen_at THEN EXCLUDED.last_run_id ELSE f.last_run_id END,
            occurrences = f.occurrences + EXCLUDED.occurrences
        """

    private func save(_ sql: String, projectID: String, runID: String, seenAt: String?, db: PostgresConnection) throws {
        guard !seen.isEmpty else { return }
        let ordered = seen.keys.sorted()
        let entries = ordered.map { seen[$0]! }
        try db.query(
            prepared: sql,
            [
                projectID, runID, postgresTextArray(ordered.map(\.uuid)), postgresNullableTextArray(entries.map(\.fingerprint.errorType)),
                postgresTextArray(entries.map(\.fingerprint.template)),
                postgresTextArray(entries.map { $0.fingerprint.frames.joined(separator: "\n") }),
                seenAt, postgresNumberArray(entries.map(\.occurrences)), postgresNumberArray(entries.map(\.failures)),
            ])
    }
}
