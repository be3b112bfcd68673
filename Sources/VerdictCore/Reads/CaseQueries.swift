import VerdictDB

/// Lists of a run's cases.
public struct CaseQueries {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// In report order, then in the order each report ran its tests.
    public func list(runID id: String, _ filter: CaseFilter, limit: Int, after cursor: PageCursor?) throws -> Page<CaseSummary> {
        let runID = try ReadParameter.uuid(id, field: "id")
        let position = try ReadCursor.position(cursor)
        let statuses = filter.statuses.map { postgresTextArray($0.map(\.rawValue)) }
        // The partial index `cases_run_not_passed` serves a query only if its WHERE provably
        // implies `status <> 'passed'`. From the list parameter PostgreSQL proves that only when
        // it plans with the value known, so a list without `passed` states the predicate outright
        // and the index stays usable under any plan.
        let notPassed = filter.statuses.map { !$0.contains(.passed) } == true ? "AND status <> 'passed'" : ""
        let rows = try db.query(
            """
            SELECT \(Self.columns) FROM cases
            WHERE run_id = $1 \(notPassed)
              AND ($2::text[] IS NULL OR status = ANY ($2::text[]))
              AND ($3::text IS NULL OR case_full_title(full_title, classname, title) ILIKE $3 ESCAPE '\\')
              AND ($4::uuid IS NULL OR report_id = $4::uuid)
              AND ($5::uuid IS NULL OR test_id = $5::uuid)
              AND ($6::uuid IS NULL OR (report_id, ordinal) > ($6::uuid, $7::integer))
            ORDER BY report_id, ordinal
            LIMIT $8
            """,
            [
                runID, statuses, filter.titleContains.map(ReadParameter.containsPattern), filter.reportID, filter.testID,
                position?.reportID, position?.ordinal, String(limit + 1),
            ]
        ).rows
        if rows.isEmpty { try RunQueries(db: db).requireRun(runID) }
        return Page.from(rows, limit: limit, item: Self.summary) {
            ReadCursor.position(reportID: $0.string("report_id"), ordinal: $0.string("ordinal"), id: $0.string("id"))
        }
    }

    static let columns = """
        id, test_id, run_id, report_id, suite_id, ordinal, title, case_full_title(full_title, classname, title) AS full_title,
        suite_path, file, line, project_name, status, raw_status,
        duration_ms, attempt_count, error_message, tags
        """

    static func summary(_ row: Row) -> CaseSummary {
        CaseSummary(
            id: row.string("id"), testID: row.string("test_id"), reportID: row.string("report_id"), suiteID: row["suite_id"],
            title: row.string("title"), fullTitle: row.string("full_title"), suitePath: row.textArray("suite_path"), file: row["file"],
            line: row.int("line"), project: row["project_name"], status: row.string("status"), rawStatus: row.string("raw_status"),
            durationMilliseconds: row.double("duration_ms"), attemptCount: row.int("attempt_count") ?? 1,
            errorMessage: row["error_message"], tags: row.textArray("tags"))
    }
}
