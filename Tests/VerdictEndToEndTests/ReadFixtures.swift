import Foundation
import VerdictCore
import VerdictDB
import XCTest

/// Rows for the read API's tests, written straight into the test database with psql: the
/// ingest endpoints that normally fill these tables are built elsewhere, and the reads must
/// not depend on them. Each test makes its own team and project, so tests sharing the
/// database never see each other's rows.
struct ReadFixture {
    let teamID = UUID().uuidString.lowercased()
    let projectID = UUID().uuidString.lowercased()
    let projectName = "read-api-\(UUID().uuidString.prefix(8))"
    private(set) var statements: [String] = []

    init() {
        statements.append(
            "INSERT INTO teams (id, slug, name) VALUES (\(q(teamID)), \(q("t-" + String(teamID.prefix(8)))), 'Read API tests');")
        statements.append("INSERT INTO projects (id, team_id, name) VALUES (\(q(projectID)), \(q(teamID)), \(q(projectName)));")
    }

    // MARK: Rows

    struct RunRow {
        var id = UUID().uuidString.lowercased()
        var commit = "abc1234"
        var branch = "main"
        var ciRunID = "42"
        var ciRunAttempt = 1
        var name = ""
        var status = "completed"
        var expectedReports = 1
        var completedReports = 1
        var totals = [10, 7, 1, 1, 0, 1]
        var createdAt = "2030-01-01T00:00:00Z"
        var startedAt: String? = "2030-01-01T00:00:00Z"
        var endedAt: String? = "2030-01-01T00:01:30.5Z"
    }

    @discardableResult
    mutating func run(_ row: RunRow) -> String {
        let t = row.totals
        statements.append(
            """
            INSERT INTO runs (id, project_id, commit_sha, branch, ci_run_id, ci_run_attempt, name, status, total_reports_expected,
                reports_completed, tests, passed, failed, skipped, errors, flaky, started_at, ended_at, created_at, last_activity_at,
                completed_at)
            VALUES (\(q(row.id)), \(q(projectID)), \(q(row.commit)), \(q(row.branch)), \(q(row.ciRunID)), \(row.ciRunAttempt),
                \(q(row.name)), \(q(row.status)), \(row.expectedReports), \(row.completedReports), \(t[0]), \(t[1]), \(t[2]), \(t[3]),
                \(t[4]), \(t[5]), \(q(row.startedAt)), \(q(row.endedAt)), \(q(row.createdAt)), \(q(row.createdAt)),
                \(row.status == "running" ? "NULL" : q(row.createdAt)));
            """)
        return row.id
    }

    struct ReportRow {
        /// Time-ordered, as ingest makes them: case ids, and so test history's order, follow it.
        var id = ReadFixture.uuid7(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
        var shard = "1"
        var format: String? = "junit"
        var status = "completed"
        var toolName: String? = "pytest"
        var toolVersion: String? = "8.1"
        var durationMilliseconds: Double? = 1500
        var warnings = "[]"
        var runErrors = "[]"
    }

    @discardableResult
    mutating func report(run runID: String, _ row: ReportRow = ReportRow()) -> String {
        let completed = row.status == "completed" ? "'2030-01-01T00:01:00Z'" : "NULL"
        statements.append(
            """
            INSERT INTO reports (id, run_id, shard, format, status, tool_name, tool_version, started_at, duration_ms, tests, passed,
                failed, skipped, errors, flaky, warnings, run_errors, completed_at)
            VALUES (\(q(row.id)), \(q(runID)), \(q(row.shard)), \(q(row.format)), \(q(row.status)), \(q(row.toolName)),
                \(q(row.toolVersion)), '2030-01-01T00:00:05Z', \(row.durationMilliseconds.map { "\($0)" } ?? "NULL"), 3, 2, 1, 0, 0, 0,
                \(q(row.warnings))::jsonb, \(q(row.runErrors))::jsonb, \(completed));
            """)
        return row.id
    }

    struct SuiteRow {
        var id = UUID().uuidString.lowercased()
        var ordinal = 0
        var name = "suite"
        var path = ["suite"]
        var file: String? = "tests/test_suite.py"
        var counts = [4, 1, 1, 1, 1, 0]
    }

    @discardableResult
    mutating func suite(run runID: String, report reportID: String, _ row: SuiteRow) -> String {
        let c = row.counts
        statements.append(
            """
            INSERT INTO suites (id, report_id, run_id, ordinal, name, path, file, timestamp_text, started_at, duration_ms, hostname,
                tests, passed, failed, skipped, error_count, flaky)
            VALUES (\(q(row.id)), \(q(reportID)), \(q(runID)), \(row.ordinal), \(q(row.name)), \(array(row.path)), \(q(row.file)),
                '2030-01-01T00:00:05', '2030-01-01T00:00:05Z', 250.5, 'ci-host-1', \(c[0]), \(c[1]), \(c[2]), \(c[3]), \(c[4]),
                \(c[5]));
            """)
        return row.id
    }

    struct CaseRow {
        var testID = UUID().uuidString.lowercased()
        var suiteID: String? = nil
        var ordinal = 0
        var title = "works"
        var fullTitle = "suite works"
        var suitePath = ["suite"]
        var file: String? = "tests/test_suite.py"
        var line: Int? = 12
        var project: String? = "chromium"
        var status = "passed"
        var rawStatus = "passed"
        var durationMilliseconds: Double? = 12.5
        var attemptCount = 1
        var errorMessage: String? = nil
        var skipReason: String? = nil
        var tags: [String] = []
        var annotations = "[]"
        var properties = "[]"
        var createdAt = "2030-01-01T00:00:10Z"
    }

    @discardableResult
    mutating func testCase(run runID: String, report reportID: String, _ row: CaseRow) -> String {
        let id = Identifier.caseKey(report: UUIDKey(reportID)!, ordinal: row.ordinal).text
        statements.append(
            """
            INSERT INTO cases (id, run_id, report_id, suite_id, ordinal, test_id, title, full_title, suite_path, file, line, classname,
                project_name, status, raw_status, duration_ms, attempt_count, error_message, skip_reason, tags, annotations, properties,
                created_at)
            VALUES (\(q(id)), \(q(runID)), \(q(reportID)), \(q(row.suiteID)), \(row.ordinal), \(q(row.testID)), \(q(row.title)),
                \(q(row.fullTitle)), \(array(row.suitePath)), \(q(row.file)), \(row.line.map(String.init) ?? "NULL"), 'tests.Suite',
                \(q(row.project)), \(q(row.status)), \(q(row.rawStatus)), \(row.durationMilliseconds.map { "\($0)" } ?? "NULL"),
                \(row.attemptCount), \(q(row.errorMessage)), \(q(row.skipReason)), \(array(row.tags)), \(q(row.annotations))::jsonb,
                \(q(row.properties))::jsonb, \(q(row.createdAt)));
            """)
        return id
    }

    mutating func attempt(
        case caseID: String, report reportID: String, attempt: Int, status: String, durationMilliseconds: Double, errors: String,
        stdout: String? = nil
    ) {
        statements.append(
            """
            INSERT INTO attempts (
                case_id, report_id, ordinal, attempt, status, duration_ms, started_at, error_messages, error_types, error_stacks, stdout)
            SELECT \(q(caseID)), \(q(reportID)), (SELECT ordinal FROM cases WHERE id = \(q(caseID))), \(attempt), \(q(status)), \(durationMilliseconds), '2030-01-01T00:00:06Z',
                array_agg(e.value ->> 'message' ORDER BY e.n), array_agg(e.value ->> 'type' ORDER BY e.n),
                array_agg(e.value ->> 'stack' ORDER BY e.n), \(q(stdout))
            FROM jsonb_array_elements(\(q(errors))::jsonb) WITH ORDINALITY AS e(value, n);
            """)
    }

    @discardableResult
    mutating func attachment(
        case caseID: String?, report reportID: String, name: String, kind: String = "screenshot", attempt: Int? = nil,
        path: String?, objectKey: String?, size: Int? = nil, contentType: String? = "image/png"
    ) -> String {
        let id = UUID().uuidString.lowercased()
        statements.append(
            """
            INSERT INTO attachments (id, report_id, case_id, attempt, name, kind, content_type, path, object_key, size)
            VALUES (\(q(id)), \(q(reportID)), \(q(caseID)), \(attempt.map(String.init) ?? "NULL"), \(q(name)), \(q(kind)),
                \(q(contentType)), \(q(path)), \(q(objectKey)), \(size.map(String.init) ?? "NULL"));
            """)
        return id
    }

    mutating func reportFile(report reportID: String, name: String, objectKey: String, size: Int, verified: Bool) {
        statements.append(
            """
            INSERT INTO report_files (report_id, name, kind, size, sha256, content_type, object_key, verified_at)
            VALUES (\(q(reportID)), \(q(name)), 'report', \(size), \(q(String(repeating: "ab", count: 32))), 'application/xml',
                \(q(objectKey)), \(verified ? "now()" : "NULL"));
            """)
    }

    // MARK: Writing

    /// Runs every statement so far in one transaction, and forgets them. Cases written here
    /// get their test history spans the way migration 9 derives them, on a schema that has them.
    mutating func insert(database: String = requireDatabaseURL()) throws {
        let spans = """
            DO $$ BEGIN
                IF to_regproc('rebuild_test_scope_spans') IS NOT NULL THEN
                    PERFORM rebuild_test_scope_spans(ARRAY(
                        SELECT rep.id FROM reports rep JOIN runs r ON r.id = rep.run_id WHERE r.project_id = \(q(projectID))));
                END IF;
            END $$;
            """
        try Self.psql("BEGIN;\n" + statements.joined(separator: "\n") + "\n" + spans + "\nCOMMIT;\n", database: database)
        statements = []
    }

    static func psql(_ script: String, database: String = requireDatabaseURL()) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [database, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "psql", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "psql failed: \(String(decoding: message, as: UTF8.self))\n\(script)"])
        }
    }

    // MARK: Values

    /// A SQL string literal (or NULL). Test values only; the code under test never splices.
    func q(_ value: String?) -> String {
        guard let value else { return "NULL" }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    func array(_ items: [String]) -> String { "ARRAY[\(items.map { q($0) }.joined(separator: ", "))]::text[]" }

    /// A UUIDv7 for `milliseconds` since the epoch: case ids are time-ordered, and the history
    /// endpoint relies on it.
    static func uuid7(milliseconds: UInt64) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * UInt64(5 - index))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)
        bytes[8] = 0x80 | (bytes[8] & 0x3f)
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
