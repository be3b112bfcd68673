import VerdictDB

/// The latest description of a test: its title and place as the newest case tells them.
public struct TestDescription: Sendable {
    public var testID: TestID
    public var title: String
    public var fullTitle: String
    public var file: String?
    public var suitePath: [String]
    public var project: String?
}

/// One result of a test in one run.
public struct TestResult: Sendable {
    public var caseID: CaseID
    public var runID: RunID
    public var runStatus: RunStatus
    public var branch: String
    public var commit: String
    public var runName: String
    public var status: CaseStatus
    public var durationMilliseconds: Double?
    public var attemptCount: Int
    public var createdAt: String
}

public struct TestHistoryPage: Sendable {
    public var test: TestDescription
    public var results: Page<TestResult>
}

/// A test's results across runs, newest first. They are found through the spans of the test's
/// scope (migration 9), read newest report first off their index a batch at a time, each
/// span's cases through (run, report, ordinal). A case id is its report's id prefix and its
/// ordinal, so this is case id order, which the cursor continues from.
public struct TestHistory {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// A test's id is derived from its project's id, so all its results belong to one project;
    /// the newest one tells whether the viewer may see them.
    public func history(_ testID: TestID, as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws -> TestHistoryPage {
        let test = TestCases(db: db, testID: testID.text, scope: String(Identifier.testScope(high: testID.key.high)))
        var before: UUIDKey?
        if let cursorID = try ReadCursor.id(cursor) {
            guard let caseID = UUIDKey(cursorID) else { throw ReadCursor.invalid() }
            before = caseID
        }
        let rows = try test.newestFirst(before: before, count: limit + 1)
        guard let latest = before == nil ? rows.first : try test.newestFirst(before: nil, count: 1).first else {
            throw ServiceError.notFound(testID.named)
        }
        try RunQueries(db: db).requireVisible(try latest.decode("run_id"), as: viewer)
        let description = TestDescription(
            testID: testID, title: try latest.decode("title"), fullTitle: try latest.decode("full_title"),
            file: try latest.decodeIfPresent("file"), suitePath: try latest.decode("suite_path"),
            project: try latest.decodeIfPresent("project_name"))
        let results = try Page.from(rows, limit: limit, item: Self.result) { PageCursor(sortKey: "", id: try $0.decode("id")) }
        return TestHistoryPage(test: description, results: results)
    }

    static func result(_ row: Row) throws -> TestResult {
        TestResult(
            caseID: try row.decode("id"), runID: try row.decode("run_id"), runStatus: try row.decode("run_status"),
            branch: try row.decode("branch"), commit: try row.decode("commit_sha"), runName: try row.decode("run_name"),
            status: try row.decode("status"), durationMilliseconds: try row.decodeIfPresent("duration_ms"),
            attemptCount: try row.decode("attempt_count"), createdAt: try row.decode("created"))
    }
}

/// One test's cases, found through its scope's spans.
private struct TestCases {
    let db: PostgresConnection
    let testID: String
    /// The test id's first 48 bits, as `test_scope_spans.scope` has them.
    let scope: String

    /// Up to `count` of the test's cases, newest first, older than case `before` if given.
    func newestFirst(before: UUIDKey?, count: Int) throws -> [Row] {
        // A scope's tests usually share a span or a few per report; the batch grows with the
        // page so that one batch is the common case.
        let batch = min(2_000, max(64, count * 16))
        // The cursor's report may still hold older cases: the whole id range of its report stays in.
        var through = before.map { Identifier.caseLocation($0).reportsThrough.text }
        var afterSpan: (report: String, first: String)?
        var found: [Row] = []
        while found.count < count {
            let spans = try db.query(
                """
                SELECT run_id, report_id, first_ordinal, last_ordinal FROM test_scope_spans
                WHERE scope = $1::bigint AND ($2::uuid IS NULL OR report_id <= $2::uuid)
                  AND ($3::uuid IS NULL OR (report_id, first_ordinal) < ($3::uuid, $4::integer))
                ORDER BY report_id DESC, first_ordinal DESC
                LIMIT $5
                """, [scope, through, afterSpan?.report, afterSpan?.first, String(batch)]
            ).rows
            guard let last = spans.last else { break }
            found += try db.query(
                """
                SELECT c.id, c.run_id, r.status AS run_status, r.branch, r.commit_sha, r.name AS run_name, c.status, c.duration_ms,
                    c.attempt_count, rfc3339(c.created_at) AS created, c.title,
                    case_full_title(c.full_title, c.classname, c.title) AS full_title, c.file, c.suite_path, c.project_name
                FROM unnest($2::uuid[], $3::uuid[], $4::integer[], $5::integer[]) WITH ORDINALITY
                    AS s(run_id, report_id, first_ordinal, last_ordinal, n)
                CROSS JOIN LATERAL (
                    SELECT * FROM cases c
                    WHERE c.run_id = s.run_id AND c.report_id = s.report_id
                      AND c.ordinal BETWEEN s.first_ordinal AND s.last_ordinal AND c.test_id = $1::uuid
                ) AS c
                JOIN runs r ON r.id = c.run_id
                WHERE $6::uuid IS NULL OR c.id < $6::uuid
                ORDER BY s.n, c.ordinal DESC
                LIMIT $7
                """,
                [
                    testID, try column("run_id", of: spans), try column("report_id", of: spans),
                    try column("first_ordinal", of: spans), try column("last_ordinal", of: spans),
                    before?.text, String(count - found.count),
                ]
            ).rows
            if spans.count < batch { break }
            afterSpan = (try last.decode("report_id"), try last.decode("first_ordinal"))
            through = nil
        }
        return found
    }

    /// One column of the spans as an array parameter.
    private func column(_ name: String, of spans: [Row]) throws -> String {
        postgresTextArray(try spans.map { try $0.decode(name, as: String.self) })
    }
}
