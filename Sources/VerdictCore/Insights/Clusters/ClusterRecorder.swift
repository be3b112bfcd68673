import VerdictDB
import VerdictInsights
import VerdictReports

/// The failure clusters one report (or one backfill batch of a run) brings: each fingerprint
/// once, with how many failures had it; saved into the project's `failure_clusters` in one
/// statement.
struct ClusterRecorder {
    private var seen: [FingerprintID: (fingerprint: FailureFingerprint, count: Int)] = [:]

    var isEmpty: Bool { seen.isEmpty }

    mutating func add(_ fingerprint: FailureFingerprint) {
        seen[fingerprint.id, default: (fingerprint, 0)].count += 1
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
    /// moves. Rows are written in id order, so two shards of one run saving at once lock them
    /// in the same order.
    func save(projectID: String, runID: String, seenAt: String? = nil, db: PostgresConnection) throws {
        guard !seen.isEmpty else { return }
        let ordered = seen.keys.sorted()
        let entries = ordered.map { seen[$0]! }
        try db.query(
            prepared:
                """
                INSERT INTO failure_clusters AS f
                    (project_id, id, error_type, template, frames, first_seen_at, first_run_id, last_seen_at, last_run_id, occurrences)
                SELECT $1, u.id, u.error_type, u.template, string_to_array(u.frames, E'\\n'), coalesce($7::timestamptz, now()), $2,
                    coalesce($7::timestamptz, now()), $2, u.occurrences
                FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $8::bigint[])
                    AS u (id, error_type, template, frames, occurrences)
                ON CONFLICT (project_id, id) DO UPDATE
                SET last_seen_at = greatest(f.last_seen_at, EXCLUDED.last_seen_at),
                    last_run_id = CASE WHEN EXCLUDED.last_seen_at >= f.last_seen_at THEN EXCLUDED.last_run_id ELSE f.last_run_id END,
                    occurrences = f.occurrences + EXCLUDED.occurrences
                """,
            [
                projectID, runID, postgresTextArray(ordered.map(\.uuid)), postgresNullableTextArray(entries.map(\.fingerprint.errorType)),
                postgresTextArray(entries.map(\.fingerprint.template)),
                postgresTextArray(entries.map { $0.fingerprint.frames.joined(separator: "\n") }),
                seenAt, postgresNumberArray(entries.map(\.count)),
            ])
    }
}
