import VerdictDB

/// The latest description of a test: its title and place as the newest case tells them.
public struct TestDescription: Sendable {
    public var testID: String
    public var title: String
    public var fullTitle: String
    public var file: String?
    public var suitePath: [String]
    public var project: String?
}

/// One result of a test in one run.
public struct TestResult: Sendable {
    public var caseID: String
    public var runID: String
    public var runStatus: String
    public var branch: String
    public var commit: String
    public var runName: String
    public var status: String
    public var durationMilliseconds: Double?
    public var attemptCount: Int
    public var createdAt: String
}

public struct TestHistoryPage: Sendable {
    public var test: TestDescription
    public var results: Page<TestResult>
}

/// A test's results across runs, newest first. Case ids are UUIDv7, so id order is time order
/// and the `cases_test_history (test_id, id DESC)` index serves both the order and the cursor.
public struct TestHistory {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func history(testID id: String, limit: Int, after cursor: PageCursor?) throws -> TestHistoryPage {
        let testID = try ReadParameter.uuid(id, field: "test_id")
        let before = try ReadCursor.id(cursor)
        guard
            let latest = try db.query(
                """
                SELECT title, case_full_title(full_title, classname, title) AS full_title, file, suite_path, project_name FROM cases
                WHERE test_id = $1 ORDER BY id DESC LIMIT 1
                """, [testID]
            ).first
        else { throw ServiceError.notFound("test \(testID)") }
        let rows = try db.query(
            """
            SELECT c.id, c.run_id, r.status AS run_status, r.branch, r.commit_sha, r.name AS run_name, c.status, c.duration_ms,
                   c.attempt_count, rfc3339(c.created_at) AS created
            FROM cases c JOIN runs r ON r.id = c.run_id
            WHERE c.test_id = $1 AND ($2::uuid IS NULL OR c.id < $2::uuid)
            ORDER BY c.id DESC
            LIMIT $3
            """, [testID, before, String(limit + 1)]
        ).rows
        let test = TestDescription(
            testID: testID, title: latest.string("title"), fullTitle: latest.string("full_title"), file: latest["file"],
            suitePath: latest.textArray("suite_path"), project: latest["project_name"])
        let results = Page.from(rows, limit: limit, item: Self.result) { PageCursor(sortKey: "", id: $0.string("id")) }
        return TestHistoryPage(test: test, results: results)
    }

    static func result(_ row: Row) -> TestResult {
        TestResult(
            caseID: row.string("id"), runID: row.string("run_id"), runStatus: row.string("run_status"), branch: row.string("branch"),
            commit: row.string("commit_sha"), runName: row.string("run_name"), status: row.string("status"),
            durationMilliseconds: row.double("duration_ms"), attemptCount: row.int("attempt_count") ?? 1,
            createdAt: row.string("created"))
    }
}
