import VerdictDB
import VerdictJSON

/// One case with its attempts and attachments.
public struct CaseDetailQuery {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func get(_ caseID: CaseID, as viewer: Viewer) throws -> CaseDetail {
        // The id names its report (by the report id's first twelve bytes) and its position there:
        // the case is found through the reports' key and the (run, report, ordinal) index.
        let location = Identifier.caseLocation(caseID.key)
        guard
            location.ordinal <= Int(Int32.max),
            let row = try db.query(
                """
                SELECT \(CaseQueries.columns), classname, skip_reason, coalesce(annotations, '[]') AS annotations,
                       coalesce(properties, '[]') AS properties, rfc3339(created_at) AS created,
                       rfc3339(started_at) AS started,
                       suite_name, suite_path_of_suite
                FROM (
                    SELECT c.* FROM reports rep
                    JOIN cases c ON c.run_id = rep.run_id AND c.report_id = rep.id AND c.ordinal = $2::integer
                    JOIN runs r ON r.id = rep.run_id JOIN projects p ON p.id = r.project_id \(Visibility.join())
                    WHERE rep.id BETWEEN $3::uuid AND $4::uuid AND c.id = $1::uuid AND \(Visibility.condition(viewer: "$5"))
                ) cases
                LEFT JOIN LATERAL (SELECT name AS suite_name, path AS suite_path_of_suite FROM suites WHERE suites.id = cases.suite_id) s
                    ON true
                """,
                [caseID.text, String(location.ordinal), location.reportsFrom.text, location.reportsThrough.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(caseID.named) }
        let summary = try CaseQueries.summary(row)
        var suite: SuiteReference?
        if let suiteID = summary.suiteID, let name = try row.decodeIfPresent("suite_name", as: String.self) {
            suite = SuiteReference(id: suiteID, name: name, path: try row.decode("suite_path_of_suite"))
        }
        return CaseDetail(
            summary: summary, runID: try row.decode("run_id"), suite: suite, classname: try row.decodeIfPresent("classname"),
            skipReason: try row.decodeIfPresent("skip_reason"), annotations: try row.json("annotations"),
            properties: try row.json("properties"), createdAt: try row.decode("created"),
            attempts: try attempts(of: summary, startedAt: try row.decodeIfPresent("started")),
            attachments: try attachments(of: caseID))
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
            """, [summary.id.text]
        ).rows.map { row in
            AttemptRecord(
                attempt: try row.decode("attempt"), status: try row.decode("status"),
                durationMilliseconds: try row.decodeIfPresent("duration_ms"), startedAt: try row.decodeIfPresent("started"),
                errors: try row.json("errors"), stdout: try row.decodeIfPresent("stdout"), stderr: try row.decodeIfPresent("stderr"))
        }
        if !stored.isEmpty { return stored }
        // Flaky describes a case across attempts; its one recorded attempt passed.
        let status = summary.status == .flaky ? .passed : summary.status
        return [
            AttemptRecord(
                attempt: 0, status: status, durationMilliseconds: summary.durationMilliseconds, startedAt: startedAt, errors: .array([]),
                stdout: nil, stderr: nil)
        ]
    }

    func attachments(of caseID: CaseID) throws -> [AttachmentRecord] {
        try attachments(ofCases: [caseID])[caseID] ?? []
    }

    /// The attachments of several cases at once, by case.
    func attachments(ofCases caseIDs: [CaseID]) throws -> [CaseID: [AttachmentRecord]] {
        var byCase: [CaseID: [AttachmentRecord]] = [:]
        for row in try db.query(prepared:
            """
            SELECT id, case_id, name, kind, content_type, attempt, path, size, object_key IS NOT NULL AS stored
            FROM attachments WHERE case_id = ANY ($1::uuid[])
            ORDER BY case_id, attempt NULLS FIRST, name, id
            """, [postgresTextArray(caseIDs.map(\.text))]
        ).rows {
            byCase[try row.decode("case_id"), default: []].append(
                AttachmentRecord(
                    id: try row.decode("id"), name: try row.decode("name"), kind: try row.decode("kind"),
                    contentType: try row.decodeIfPresent("content_type"), attempt: try row.decodeIfPresent("attempt"),
                    path: try row.decodeIfPresent("path"), size: try row.decodeIfPresent("size"), isStored: try row.decode("stored")))
        }
        return byCase
    }
}
