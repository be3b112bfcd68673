import VerdictDB

/// A suite (a JUnit `<testsuite>`, a describe block, a spec file) of one report.
public struct SuiteSummary: Sendable {
    public var id: String
    public var reportID: String
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
    public func list(runID id: String, limit: Int, after cursor: PageCursor?) throws -> Page<SuiteSummary> {
        let runID = try ReadParameter.uuid(id, field: "id")
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
            """, [runID, position?.reportID, position?.ordinal, String(limit + 1)]
        ).rows
        // Only an empty page needs to ask whether the run exists at all.
        if rows.isEmpty { try RunQueries(db: db).requireRun(runID) }
        return Page.from(rows, limit: limit, item: Self.suite) {
            ReadCursor.position(reportID: $0.string("report_id"), ordinal: $0.string("ordinal"), id: $0.string("id"))
        }
    }

    static func suite(_ row: Row) -> SuiteSummary {
        SuiteSummary(
            id: row.string("id"), reportID: row.string("report_id"), ordinal: row.int("ordinal") ?? 0, name: row.string("name"),
            path: row.textArray("path"), file: row["file"], durationMilliseconds: row.double("duration_ms"),
            timestamp: row["timestamp_text"], startedAt: row["started"], hostname: row["hostname"],
            totals: ResultTotals(row, errorsColumn: "error_count"))
    }
}
