import VerdictDB

/// Lists of a run's cases.
public struct CaseQueries {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// In report order, then in the order each report ran its tests.
    public func list(_ runID: RunID, _ filter: CaseFilter, as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws
        -> Page<CaseSummary>
    {
        try RunQueries(db: db).requireVisible(runID, as: viewer)
        return try list(visible: runID, filter, limit: limit, after: cursor)
    }

    /// The cases of a run the caller has already read for its viewer (a `RunSummary` comes only
    /// from such a read), without asking again.
    public func list(of run: RunSummary, _ filter: CaseFilter, limit: Int, after cursor: PageCursor?) throws -> Page<CaseSummary> {
        try list(visible: run.id, filter, limit: limit, after: cursor)
    }

    private func list(visible runID: RunID, _ filter: CaseFilter, limit: Int, after cursor: PageCursor?) throws -> Page<CaseSummary> {
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
                runID.text, statuses, filter.titleContains.map(ReadParameter.containsPattern), filter.reportID?.text, filter.testID?.text,
                position?.reportID, position?.ordinal, String(limit + 1),
            ]
        ).rows
        return try Page.from(rows, limit: limit, item: Self.summary) {
            ReadCursor.position(reportID: try $0.decode("report_id"), ordinal: try $0.decode("ordinal"), id: try $0.decode("id"))
        }
    }

    static let columns = """
        id, test_id, run_id, report_id, suite_id, ordinal, title, case_full_title(full_title, classname, title) AS full_title,
        suite_path, file, line, project_name, status, raw_status,
        duration_ms, attempt_count, error_message, tags
        """

    static func summary(_ row: Row) throws -> CaseSummary {
        CaseSummary(
            id: try row.decode("id"), testID: try row.decode("test_id"), reportID: try row.decode("report_id"),
            suiteID: try row.decodeIfPresent("suite_id"), title: try row.decode("title"), fullTitle: try row.decode("full_title"),
            suitePath: try row.decode("suite_path"), file: try row.decodeIfPresent("file"),
            line: try row.decodeIfPresent("line"), project: try row.decodeIfPresent("project_name"), status: try row.decode("status"),
            rawStatus: try row.decode("raw_status"), durationMilliseconds: try row.decodeIfPresent("duration_ms"),
            attemptCount: try row.decode("attempt_count"), errorMessage: try row.decodeIfPresent("error_message"),
            tags: try row.decodeIfPresent("tags") ?? [])
    }
}
