import VerdictDB
import VerdictJSON

/// One case with its attempts and attachments.
public struct CaseDetailQuery {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func get(id: String) throws -> CaseDetail {
        let caseID = try ReadParameter.uuid(id, field: "id")
        // The id names its report (by the report id's first twelve bytes) and its position there:
        // the case is found through the reports' key and the (run, report, ordinal) index.
        guard let key = UUIDKey(caseID) else { throw ServiceError.invalid(field: "id", reason: "must be a UUID") }
        let location = Identifier.caseLocation(key)
        guard
            location.ordinal <= Int(Int32.max),
            let row = try db.query(
                """
                SELECT \(CaseQueries.columns), classname, skip_reason, coalesce(annotations, '[]') AS annotations,
                       coalesce(properties, '[]') AS properties, rfc3339(created_at) AS created,
                       rfc3339(started_at) AS started,
                       suite_name, suite_path_of_suite
                FROM (
                    SELECT c.* FROM reports r
                    JOIN cases c ON c.run_id = r.run_id AND c.report_id = r.id AND c.ordinal = $2::integer
                    WHERE r.id BETWEEN $3::uuid AND $4::uuid AND c.id = $1::uuid
                ) cases
                LEFT JOIN LATERAL (SELECT name AS suite_name, path AS suite_path_of_suite FROM suites WHERE suites.id = cases.suite_id) s
                    ON true
                """, [caseID, String(location.ordinal), location.reportsFrom.text, location.reportsThrough.text]
            ).first
        else { throw ServiceError.notFound("case \(caseID)") }
        let summary = CaseQueries.summary(row)
        let suite = summary.suiteID.flatMap { suiteID in
            row["suite_name"].map { SuiteReference(id: suiteID, name: $0, path: row.textArray("suite_path_of_suite")) }
        }
        return CaseDetail(
            summary: summary, runID: row.string("run_id"), suite: suite, classname: row["classname"], skipReason: row["skip_reason"],
            annotations: row.json("annotations"), properties: row.json("properties"), createdAt: row.string("created"),
            attempts: try attempts(of: summary, startedAt: row["started"]), attachments: try attachments(caseID: caseID))
    }

    /// Stored attempts, or the single quiet attempt the storage rule leaves out: a case
    /// without rows in `attempts` ran once, with the case's outcome and start and nothing more.
    func attempts(of summary: CaseSummary, startedAt: String?) throws -> [AttemptRecord] {
        let stored = try db.query(
            """
            SELECT attempt, status, duration_ms, rfc3339(started_at) AS started, stdout, stderr,
                COALESCE((
                    SELECT jsonb_agg(jsonb_build_object('message', e.message, 'type', e.type, 'stack', e.stack) ORDER BY e.n)
                    FROM unnest(error_messages, error_types, error_stacks) WITH ORDINALITY AS e(message, type, stack, n)
                ), '[]') AS errors
            FROM attempts WHERE case_id = $1 ORDER BY attempt
            """, [summary.id]
        ).rows.map { row in
            AttemptRecord(
                attempt: row.int("attempt") ?? 0, status: row.string("status"), durationMilliseconds: row.double("duration_ms"),
                startedAt: row["started"], errors: row.json("errors"), stdout: row["stdout"], stderr: row["stderr"])
        }
        if !stored.isEmpty { return stored }
        // Flaky describes a case across attempts; its one recorded attempt passed.
        let status = summary.status == CaseStatus.flaky.rawValue ? CaseStatus.passed.rawValue : summary.status
        return [
            AttemptRecord(
                attempt: 0, status: status, durationMilliseconds: summary.durationMilliseconds, startedAt: startedAt, errors: .array([]),
                stdout: nil, stderr: nil)
        ]
    }

    func attachments(caseID: String) throws -> [AttachmentRecord] {
        try db.query(
            """
            SELECT id, name, kind, content_type, attempt, path, size, object_key IS NOT NULL AS stored
            FROM attachments WHERE case_id = $1
            ORDER BY attempt NULLS FIRST, name, id
            """, [caseID]
        ).rows.map { row in
            AttachmentRecord(
                id: row.string("id"), name: row.string("name"), kind: row.string("kind"), contentType: row["content_type"],
                attempt: row.int("attempt"), path: row["path"], size: row.int64("size"), isStored: row.bool("stored") == true)
        }
    }
}
