import VerdictDB

/// A suite (a JUnit `<testsuite>`, a describe block, a spec file) of one report.
public struct SuiteSummary: Sendable {
    public var id: SuiteID
    public var reportID: ReportID
    public var ordinal: Int
    public var name: String
    public var path: [String]
    public var file: String?
    public var durationMilliseconds: Double?
    /// The timestamp as the report wrote it, which is not always a valid time.
    public var timestamp: String?
    public var startedAt: String?
    public var hostname: String?
    public var totals: ResultTotals
}

public struct SuiteQueries {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// The run's suites in report order, then in the order each report lists them.
    public func list(_ runID: RunID, as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws -> Page<SuiteSummary> {
        try RunQueries(db: db).requireVisible(runID, as: viewer)
        let position = try ReadCursor.position(cursor)
        let rows = try db.query(
            """
            SELECT id, report_id, ordinal, name, path, file, duration_ms, timestamp_text, rfc3339(started_at) AS started, hostname,
                   tests, passed, failed, skipped, error_count, flaky
            FROM suites
            WHERE run_id = $1
              AND ($2::uuid IS NULL OR (report_id, ordinal) > ($2::uuid, $3::integer))
            ORDER BY report_id, ordinal
            LIMIT $4
            """, [runID.text, position?.reportID, position?.ordinal, String(limit + 1)]
        ).rows
        return try Page.from(rows, limit: limit, item: Self.suite) {
            ReadCursor.position(reportID: try $0.decode("report_id"), ordinal: try $0.decode("ordinal"), id: try $0.decode("id"))
        }
    }

    static func suite(_ row: Row) throws -> SuiteSummary {
        SuiteSummary(
            id: try row.decode("id"), reportID: try row.decode("report_id"), ordinal: try row.decode("ordinal"),
            name: try row.decode("name"), path: try row.decode("path"), file: try row.decodeIfPresent("file"),
            durationMilliseconds: try row.decodeIfPresent("duration_ms"), timestamp: try row.decodeIfPresent("timestamp_text"),
            startedAt: try row.decodeIfPresent("started"), hostname: try row.decodeIfPresent("hostname"),
            totals: try ResultTotals(row, errorsColumn: "error_count"))
    }
}
