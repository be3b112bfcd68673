import Foundation
import VerdictS3
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The read API behind the real emulator, over rows written straight into the test database
/// (ReadFixture) and objects put into the emulator's local S3.
final class ReadAPIEndToEndTests: TemplateEmulatorTestCase {
    override class var emulatorArguments: [String] { ["--no-schedules"] }

    // MARK: Runs

    func testRunsAreListedNewestFirstAndFiltered() async throws {
        var fixture = ReadFixture()
        let specs: [(branch: String, status: String, created: String)] = [
            ("main", "completed", "2030-01-01T00:00:00Z"), ("feature/x", "incomplete", "2030-01-02T00:00:00Z"),
            ("main", "running", "2030-01-03T00:00:00Z"), ("main", "completed", "2030-01-04T00:00:00Z"),
            ("main", "completed", "2030-01-04T00:00:00Z"), ("feature/x", "completed", "2030-01-05T00:00:00Z"),
        ]
        var runs: [(id: String, branch: String, status: String, created: String)] = []
        for (index, spec) in specs.enumerated() {
            let id = fixture.run(.init(branch: spec.branch, ciRunID: "ci-\(index)", status: spec.status, createdAt: spec.created))
            runs.append((id, spec.branch, spec.status, spec.created))
        }
        try fixture.insert()
        var otherProject = ReadFixture()
        otherProject.run(.init())
        try otherProject.insert()

        // Two runs share a creation time: the id breaks the tie, also descending.
        let newestFirst = runs.sorted { ($0.created, $0.id) > ($1.created, $1.id) }
        let project = "project=\(fixture.projectName)"
        let all = try await items("/api/v1/runs?\(project)")
        XCTAssertEqual(all.map { $0["id"] as? String }, newestFirst.map(\.id))

        let newest = try XCTUnwrap(all.first)
        XCTAssertEqual(newest["project"] as? String, fixture.projectName)
        XCTAssertEqual(newest["commit"] as? String, "abc1234")
        XCTAssertEqual(newest["branch"] as? String, "feature/x")
        XCTAssertEqual(newest["ci_run_id"] as? String, "ci-5")
        XCTAssertEqual(newest["ci_run_attempt"] as? Int, 1)
        XCTAssertEqual(newest["status"] as? String, "completed")
        XCTAssertEqual(
            newest["totals"] as? [String: Int], ["tests": 10, "passed": 7, "failed": 1, "skipped": 1, "errors": 0, "flaky": 1])
        XCTAssertEqual(newest["total_reports_expected"] as? Int, 1)
        XCTAssertEqual(newest["reports_completed"] as? Int, 1)
        XCTAssertEqual(newest["created_at"] as? String, "2030-01-05T00:00:00.000000Z")
        XCTAssertEqual(newest["started_at"] as? String, "2030-01-01T00:00:00.000000Z")
        XCTAssertEqual(newest["duration_ms"] as? Double, 90_500)
        XCTAssertEqual(newest["completed_at"] as? String, "2030-01-05T00:00:00.000000Z")
        XCTAssertEqual(newest["last_activity_at"] as? String, "2030-01-05T00:00:00.000000Z")
        let running = try XCTUnwrap(all.first { $0["status"] as? String == "running" })
        XCTAssertTrue(running["completed_at"] is NSNull)

        func ids(_ query: String) async throws -> [String] {
            try await items("/api/v1/runs?\(project)&\(query)").compactMap { $0["id"] as? String }
        }
        let featureBranch = try await ids("branch=feature%2Fx")
        XCTAssertEqual(featureBranch, newestFirst.filter { $0.branch == "feature/x" }.map(\.id))
        let completed = try await ids("status=completed")
        XCTAssertEqual(completed, newestFirst.filter { $0.status == "completed" }.map(\.id))
        let completedOnMain = try await ids("status=completed&branch=main")
        XCTAssertEqual(completedOnMain, newestFirst.filter { $0.status == "completed" && $0.branch == "main" }.map(\.id))
        // since is inclusive, until exclusive.
        let window = newestFirst.filter { $0.created >= "2030-01-02" && $0.created < "2030-01-04" }.map(\.id)
        XCTAssertEqual(window.count, 2)
        let byUTC = try await ids("since=2030-01-02T00:00:00Z&until=2030-01-04T00:00:00Z")
        XCTAssertEqual(byUTC, window)
        let byOffset = try await ids("since=2030-01-02T01:00:00%2B01:00&until=2030-01-03T20:00:00-04:00")
        XCTAssertEqual(byOffset, window)
        let byUnencodedPlus = try await ids("since=2030-01-02T01:00:00.000+01:00&until=2030-01-04T00:00:00Z")
        XCTAssertEqual(byUnencodedPlus, window, "an unencoded + arrives as a space and still reads as an offset")
        let nothing = try await ids("branch=no-such-branch")
        XCTAssertEqual(nothing, [])

        try await assertInvalid("/api/v1/runs?status=done", parameter: "status")
        try await assertInvalid("/api/v1/runs?since=yesterday", parameter: "since")
        try await assertInvalid("/api/v1/runs?since=now", parameter: "since")
        try await assertInvalid("/api/v1/runs?until=2030-02-30T00:00:00Z", parameter: "until")
        try await assertInvalid("/api/v1/runs?until=2030-01-01", parameter: "until")
        try await assertInvalid("/api/v1/runs?limit=0", parameter: "limit")
        try await assertInvalid("/api/v1/runs?cursor=zzz", parameter: "cursor")
        let forged = Data("next tuesday|\(newest["id"] as! String)".utf8).base64URL
        try await assertInvalid("/api/v1/runs?cursor=\(forged)", parameter: "cursor")
    }

    func testRunPagesAreStableWhileNewRunsArrive() async throws {
        var fixture = ReadFixture()
        var ids: [String] = []
        for day in 1...5 {
            ids.append(fixture.run(.init(ciRunID: "ci-\(day)", createdAt: "2030-03-0\(day)T12:00:00Z")))
        }
        try fixture.insert()
        let newestFirst = Array(ids.reversed())

        let pages = try await pages("/api/v1/runs?project=\(fixture.projectName)", limit: 2)
        XCTAssertEqual(pages.map(\.count), [2, 2, 1])
        XCTAssertEqual(pages.flatMap { $0 }, newestFirst)

        let first = try await HTTPClient.send("GET", "\(base)/api/v1/runs?project=\(fixture.projectName)&limit=2")
        let cursor = try XCTUnwrap(try first.json()["next_cursor"] as? String)
        // A run created after the first page was read must not shift the pages that follow it.
        fixture.run(.init(ciRunID: "ci-late", createdAt: "2030-04-01T00:00:00Z"))
        try fixture.insert()
        let second = try await HTTPClient.send("GET", "\(base)/api/v1/runs?project=\(fixture.projectName)&limit=2&cursor=\(cursor)")
        XCTAssertEqual(second.status, 200, second.text)
        XCTAssertEqual(try itemIDs(second), Array(newestFirst[2..<4]))
    }

    func testRunDetailHasItsReportsInShardOrder() async throws {
        var fixture = ReadFixture()
        let runID = fixture.run(.init(expectedReports: 2, completedReports: 1, startedAt: "2030-01-01T00:00:00Z", endedAt: nil))
        let shard2 = fixture.report(run: runID, .init(shard: "2", format: nil, status: "registered", toolName: nil, toolVersion: nil))
        let shard1 = fixture.report(
            run: runID,
            .init(
                shard: "1", warnings: #"[{"code":"w1"},{"code":"w2"}]"#,
                runErrors: #"[{"message":"global setup crashed","type":"Error","stack":null}]"#))
        try fixture.insert()

        let response = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)")
        XCTAssertEqual(response.status, 200, response.text)
        let run = try response.json()
        XCTAssertEqual(run["id"] as? String, runID)
        XCTAssertEqual(run["project"] as? String, fixture.projectName)
        XCTAssertTrue(run["duration_ms"] is NSNull, "no end time yet, so no duration")
        let reports = try XCTUnwrap(run["reports"] as? [[String: Any]])
        XCTAssertEqual(reports.map { $0["id"] as? String }, [shard1, shard2])
        let first = reports[0]
        XCTAssertEqual(first["shard"] as? String, "1")
        XCTAssertEqual(first["format"] as? String, "junit")
        XCTAssertEqual(first["status"] as? String, "completed")
        XCTAssertEqual(first["tool"] as? [String: String], ["name": "pytest", "version": "8.1"])
        XCTAssertEqual(first["totals"] as? [String: Int], ["tests": 3, "passed": 2, "failed": 1, "skipped": 0, "errors": 0, "flaky": 0])
        XCTAssertEqual(first["duration_ms"] as? Double, 1500)
        XCTAssertEqual(first["started_at"] as? String, "2030-01-01T00:00:05.000000Z")
        XCTAssertEqual(first["completed_at"] as? String, "2030-01-01T00:01:00.000000Z")
        XCTAssertEqual(first["warnings"] as? Int, 2)
        let runErrors = try XCTUnwrap(first["run_errors"] as? [[String: Any]])
        XCTAssertEqual(runErrors.first?["message"] as? String, "global setup crashed")
        XCTAssertTrue(runErrors.first?["stack"] is NSNull)
        let second = reports[1]
        XCTAssertTrue(second["format"] is NSNull)
        XCTAssertTrue(second["completed_at"] is NSNull)
        XCTAssertEqual(second["tool"] as? [String: NSNull], ["name": NSNull(), "version": NSNull()])

        try await assertNotFound("/api/v1/runs/\(UUID().uuidString.lowercased())")
        try await assertInvalid("/api/v1/runs/not-a-run", parameter: "id")
    }

    // MARK: Suites

    func testSuitesAreListedInReportOrderAcrossPages() async throws {
        var fixture = ReadFixture()
        let runID = fixture.run(.init())
        let emptyRunID = fixture.run(.init(ciRunID: "empty"))
        var expected: [(report: String, ordinal: Int, id: String)] = []
        for shard in ["a", "b"] {
            let reportID = fixture.report(run: runID, .init(shard: shard))
            for ordinal in 0..<3 {
                let id = fixture.suite(
                    run: runID, report: reportID,
                    .init(ordinal: ordinal, name: "suite \(shard)\(ordinal)", path: ["root", "suite \(ordinal)"]))
                expected.append((reportID, ordinal, id))
            }
        }
        try fixture.insert()
        expected.sort { ($0.report, $0.ordinal) < ($1.report, $1.ordinal) }

        let pages = try await pages("/api/v1/runs/\(runID)/suites", limit: 4)
        XCTAssertEqual(pages.map(\.count), [4, 2])
        XCTAssertEqual(pages.flatMap { $0 }, expected.map(\.id))

        let listed = try await items("/api/v1/runs/\(runID)/suites")
        let suite = try XCTUnwrap(listed.first)
        XCTAssertEqual(suite["report_id"] as? String, expected[0].report)
        XCTAssertEqual(suite["ordinal"] as? Int, 0)
        XCTAssertEqual(suite["path"] as? [String], ["root", "suite 0"])
        XCTAssertEqual(suite["file"] as? String, "tests/test_suite.py")
        XCTAssertEqual(suite["duration_ms"] as? Double, 250.5)
        XCTAssertEqual(suite["timestamp"] as? String, "2030-01-01T00:00:05")
        XCTAssertEqual(suite["started_at"] as? String, "2030-01-01T00:00:05.000000Z")
        XCTAssertEqual(suite["hostname"] as? String, "ci-host-1")
        XCTAssertEqual(suite["totals"] as? [String: Int], ["tests": 4, "passed": 1, "failed": 1, "skipped": 1, "errors": 1, "flaky": 0])

        let empty = try await items("/api/v1/runs/\(emptyRunID)/suites")
        XCTAssertEqual(empty.count, 0, "a run without suites is an empty list, not a 404")
        try await assertNotFound("/api/v1/runs/\(UUID().uuidString.lowercased())/suites")
        try await assertInvalid("/api/v1/runs/\(runID)/suites?cursor=\(Data("x:1|\(runID)".utf8).base64URL)", parameter: "cursor")
    }

    // MARK: Cases

    func testCasesAreFilteredByStatusTitleReportAndTest() async throws {
        var fixture = ReadFixture()
        let runID = fixture.run(.init())
        let reportA = fixture.report(run: runID, .init(shard: "a"))
        let reportB = fixture.report(run: runID, .init(shard: "b"))
        let sharedTestID = UUID().uuidString.lowercased()
        let rows: [(report: String, status: String, title: String)] = [
            (reportA, "passed", "loads 100% of rows"), (reportA, "failed", "loads 100x more rows"),
            (reportA, "flaky", "snake_case names"), (reportA, "skipped", "snakeXcase names"),
            (reportA, "errored", "back\\slash title"), (reportB, "passed", "Snake_Case shouting"),
            (reportB, "failed", "plain failure"), (reportB, "flaky", "another flake"),
        ]
        var cases: [(id: String, report: String, ordinal: Int, status: String, title: String, testID: String)] = []
        for (index, row) in rows.enumerated() {
            let ordinal = index % 5
            let testID = index == 6 ? sharedTestID : UUID().uuidString.lowercased()
            let id = fixture.testCase(
                run: runID, report: row.report,
                .init(
                    testID: testID, ordinal: ordinal, title: row.title, fullTitle: "Suite > \(row.title)", status: row.status,
                    rawStatus: row.status == "errored" ? "error" : row.status, tags: ["@smoke"]))
            cases.append((id, row.report, ordinal, row.status, row.title, testID))
        }
        try fixture.insert()
        cases.sort { ($0.report, $0.ordinal) < ($1.report, $1.ordinal) }

        func ids(_ query: String) async throws -> [String] {
            try await items("/api/v1/runs/\(runID)/cases?\(query)").compactMap { $0["id"] as? String }
        }
        func expected(_ include: (String, String) -> Bool) -> [String] {
            cases.filter { include($0.status, $0.title) }.map(\.id)
        }

        let all = try await ids("")
        XCTAssertEqual(all, cases.map(\.id))
        let failed = try await ids("status=failed")
        XCTAssertEqual(failed, expected { status, _ in status == "failed" })
        let failedOrFlaky = try await ids("status=failed,flaky")
        XCTAssertEqual(failedOrFlaky, expected { status, _ in status == "failed" || status == "flaky" })
        let withSpaces = try await ids("status=failed,%20flaky,failed")
        XCTAssertEqual(withSpaces, failedOrFlaky)
        let passed = try await ids("status=passed")
        XCTAssertEqual(passed, expected { status, _ in status == "passed" })
        let passedOrSkipped = try await ids("status=skipped,passed")
        XCTAssertEqual(passedOrSkipped, expected { status, _ in status == "passed" || status == "skipped" })

        // % and _ are matched literally, not as LIKE wildcards; case does not matter.
        let percent = try await ids("q=\("100%".queryEncoded)")
        XCTAssertEqual(percent, expected { _, title in title == "loads 100% of rows" })
        let underscore = try await ids("q=\("e_c".queryEncoded)")
        XCTAssertEqual(underscore, expected { _, title in title.lowercased().contains("e_c") })
        XCTAssertEqual(underscore.count, 2)
        let backslash = try await ids("q=\("k\\s".queryEncoded)")
        XCTAssertEqual(backslash, expected { _, title in title == "back\\slash title" })
        let insensitive = try await ids("q=SNAKE&status=flaky")
        XCTAssertEqual(insensitive, expected { status, title in status == "flaky" && title.hasPrefix("snake") })

        let onlyB = try await ids("report=\(reportB)")
        XCTAssertEqual(onlyB, cases.filter { $0.report == reportB }.map(\.id))
        let byTest = try await ids("test_id=\(sharedTestID)")
        XCTAssertEqual(byTest, cases.filter { $0.testID == sharedTestID }.map(\.id))

        // Pages of a filtered list continue from report to report.
        let notPassed = cases.filter { $0.status != "passed" }.map(\.id)
        let pages = try await pages("/api/v1/runs/\(runID)/cases?status=failed,flaky,skipped,errored", limit: 2)
        XCTAssertEqual(pages.map(\.count), [2, 2, 2])
        XCTAssertEqual(pages.flatMap { $0 }, notPassed)

        let ofSharedTest = try await items("/api/v1/runs/\(runID)/cases?test_id=\(sharedTestID)")
        let first = try XCTUnwrap(ofSharedTest.first)
        XCTAssertEqual(first["test_id"] as? String, sharedTestID)
        XCTAssertEqual(first["report_id"] as? String, reportB)
        XCTAssertTrue(first["suite_id"] is NSNull)
        XCTAssertEqual(first["title"] as? String, "plain failure")
        XCTAssertEqual(first["full_title"] as? String, "Suite > plain failure")
        XCTAssertEqual(first["suite_path"] as? [String], ["suite"])
        XCTAssertEqual(first["file"] as? String, "tests/test_suite.py")
        XCTAssertEqual(first["line"] as? Int, 12)
        XCTAssertEqual(first["project"] as? String, "chromium")
        XCTAssertEqual(first["status"] as? String, "failed")
        XCTAssertEqual(first["raw_status"] as? String, "failed")
        XCTAssertEqual(first["duration_ms"] as? Double, 12.5)
        XCTAssertEqual(first["attempt_count"] as? Int, 1)
        XCTAssertTrue(first["error_message"] is NSNull)
        XCTAssertEqual(first["tags"] as? [String], ["@smoke"])

        try await assertInvalid("/api/v1/runs/\(runID)/cases?status=broken", parameter: "status")
        try await assertInvalid("/api/v1/runs/\(runID)/cases?status=failed,", parameter: "status")
        try await assertInvalid("/api/v1/runs/\(runID)/cases?report=shard-a", parameter: "report")
        try await assertInvalid("/api/v1/runs/\(runID)/cases?test_id=42", parameter: "test_id")
        try await assertInvalid("/api/v1/runs/\(runID)/cases?cursor=%21%21", parameter: "cursor")
        try await assertInvalid("/api/v1/runs/nope/cases", parameter: "id")
        try await assertNotFound("/api/v1/runs/\(UUID().uuidString.lowercased())/cases")
    }

    func testCaseDetailSynthesizesTheQuietAttemptAndListsStoredOnes() async throws {
        var fixture = ReadFixture()
        let runID = fixture.run(.init())
        let reportID = fixture.report(run: runID)
        let suiteID = fixture.suite(run: runID, report: reportID, .init(name: "checkout", path: ["web", "checkout"]))
        let quiet = fixture.testCase(
            run: runID, report: reportID,
            .init(suiteID: suiteID, ordinal: 0, status: "flaky", rawStatus: "flaky", durationMilliseconds: 812.25, attemptCount: 2))
        let retried = fixture.testCase(
            run: runID, report: reportID,
            .init(
                suiteID: suiteID, ordinal: 1, title: "pays", fullTitle: "web checkout pays", status: "failed", rawStatus: "failure",
                attemptCount: 2, errorMessage: "expected 200, got 500", tags: ["@payments", "@slow"],
                annotations: #"[{"type":"issue","description":"PAY-12"}]"#, properties: #"[{"name":"browser","value":"firefox"}]"#))
        fixture.attempt(
            case: retried, report: reportID, attempt: 1, status: "failed", durationMilliseconds: 20,
            errors: #"[{"message":"expected 200, got 500","type":"AssertionError","stack":"at pay (pay.ts:3)"}]"#,
            stdout: "second try\n")
        fixture.attempt(
            case: retried, report: reportID, attempt: 0, status: "failed", durationMilliseconds: 10,
            errors: #"[{"message":"timeout","type":null,"stack":null}]"#)
        let stored = fixture.attachment(
            case: retried, report: reportID, name: "failure.png", attempt: 1, path: "/ci/out/failure.png", objectKey: "att/failure.png",
            size: 1234)
        let notStored = fixture.attachment(
            case: retried, report: reportID, name: "trace.zip", kind: "trace", attempt: 0, path: "/ci/out/trace.zip", objectKey: nil)
        try fixture.insert()

        let quietCase = try await HTTPClient.send("GET", "\(base)/api/v1/cases/\(quiet)")
        XCTAssertEqual(quietCase.status, 200, quietCase.text)
        let quietJSON = try quietCase.json()
        let synthesized = try XCTUnwrap(quietJSON["attempts"] as? [[String: Any]])
        XCTAssertEqual(synthesized.count, 1)
        XCTAssertEqual(synthesized[0]["attempt"] as? Int, 0)
        XCTAssertEqual(synthesized[0]["status"] as? String, "passed", "a flaky case's recorded attempt passed")
        XCTAssertEqual(synthesized[0]["duration_ms"] as? Double, 812.25)
        XCTAssertEqual((synthesized[0]["errors"] as? [Any])?.count, 0)
        XCTAssertTrue(synthesized[0]["stdout"] is NSNull)
        XCTAssertTrue(synthesized[0]["stderr"] is NSNull)
        XCTAssertEqual((quietJSON["attachments"] as? [Any])?.count, 0)

        let response = try await HTTPClient.send("GET", "\(base)/api/v1/cases/\(retried)")
        XCTAssertEqual(response.status, 200, response.text)
        let detail = try response.json()
        XCTAssertEqual(detail["id"] as? String, retried)
        XCTAssertEqual(detail["run_id"] as? String, runID)
        XCTAssertEqual(detail["report_id"] as? String, reportID)
        XCTAssertEqual(detail["suite_id"] as? String, suiteID)
        let suite = try XCTUnwrap(detail["suite"] as? [String: Any])
        XCTAssertEqual(suite["id"] as? String, suiteID)
        XCTAssertEqual(suite["name"] as? String, "checkout")
        XCTAssertEqual(suite["path"] as? [String], ["web", "checkout"])
        XCTAssertEqual(detail["status"] as? String, "failed")
        XCTAssertEqual(detail["raw_status"] as? String, "failure")
        XCTAssertEqual(detail["error_message"] as? String, "expected 200, got 500")
        XCTAssertEqual(detail["tags"] as? [String], ["@payments", "@slow"])
        XCTAssertEqual(detail["classname"] as? String, "tests.Suite")
        XCTAssertTrue(detail["skip_reason"] is NSNull)
        XCTAssertEqual((detail["annotations"] as? [[String: String]])?.first?["description"], "PAY-12")
        XCTAssertEqual((detail["properties"] as? [[String: String]])?.first?["value"], "firefox")
        XCTAssertEqual(detail["created_at"] as? String, "2030-01-01T00:00:10.000000Z")

        let attempts = try XCTUnwrap(detail["attempts"] as? [[String: Any]])
        XCTAssertEqual(attempts.map { $0["attempt"] as? Int }, [0, 1])
        XCTAssertEqual(attempts.map { $0["duration_ms"] as? Double }, [10, 20])
        XCTAssertEqual(attempts[0]["started_at"] as? String, "2030-01-01T00:00:06.000000Z")
        let firstErrors = try XCTUnwrap(attempts[0]["errors"] as? [[String: Any]])
        XCTAssertEqual(firstErrors.first?["message"] as? String, "timeout")
        XCTAssertTrue(firstErrors.first?["type"] is NSNull)
        XCTAssertTrue(attempts[0]["stdout"] is NSNull)
        XCTAssertEqual((attempts[1]["errors"] as? [[String: Any]])?.first?["stack"] as? String, "at pay (pay.ts:3)")
        XCTAssertEqual(attempts[1]["stdout"] as? String, "second try\n")

        let attachments = try XCTUnwrap(detail["attachments"] as? [[String: Any]])
        XCTAssertEqual(attachments.map { $0["id"] as? String }, [notStored, stored], "ordered by attempt")
        XCTAssertTrue(attachments[0]["url"] is NSNull)
        XCTAssertEqual(attachments[0]["kind"] as? String, "trace")
        XCTAssertEqual(attachments[0]["path"] as? String, "/ci/out/trace.zip")
        XCTAssertEqual(attachments[1]["url"] as? String, "/api/v1/attachments/\(stored)")
        XCTAssertEqual(attachments[1]["name"] as? String, "failure.png")
        XCTAssertEqual(attachments[1]["content_type"] as? String, "image/png")
        XCTAssertEqual(attachments[1]["attempt"] as? Int, 1)
        XCTAssertEqual(attachments[1]["size"] as? Int, 1234)

        try await assertNotFound("/api/v1/cases/\(UUID().uuidString.lowercased())")
        try await assertInvalid("/api/v1/cases/12345", parameter: "id")
        // A case id names its report and its position there: the next position, and one past
        // what an integer column holds, are no case.
        try await assertNotFound("/api/v1/cases/\(quiet.dropLast(8))00000007")
        try await assertNotFound("/api/v1/cases/\(quiet.dropLast(8))ffffffff")
    }

    // MARK: History

    func testHistoryIsNewestFirstAcrossRuns() async throws {
        var fixture = ReadFixture()
        let testID = UUID().uuidString.lowercased()
        let start = UInt64(Date().timeIntervalSince1970 * 1000)
        var expected: [(caseID: String, runID: String, status: String, branch: String)] = []
        let runs: [(branch: String, status: String, caseStatus: String, title: String)] = [
            ("main", "completed", "passed", "old title"), ("feature/y", "incomplete", "failed", "old title"),
            ("main", "running", "flaky", "new title"),
        ]
        for (index, run) in runs.enumerated() {
            let runID = fixture.run(
                .init(commit: "abcdef\(index)", branch: run.branch, ciRunID: "h\(index)", name: "e2e", status: run.status))
            // Reports registered a second apart: a case id starts with its report's.
            let reportID = fixture.report(run: runID, .init(id: ReadFixture.uuid7(milliseconds: start + UInt64(index) * 1000)))
            let caseID = fixture.testCase(
                run: runID, report: reportID,
                .init(
                    testID: testID, title: run.title, fullTitle: "History \(run.title)", file: "tests/history_\(index).py",
                    status: run.caseStatus, durationMilliseconds: Double(100 * (index + 1)), attemptCount: index + 1))
            expected.append((caseID, runID, run.caseStatus, run.branch))
        }
        // Inserted out of order: the answer's order comes from the ids, not from insertion.
        fixture.testCase(
            run: expected[0].runID, report: fixture.report(run: expected[0].runID, .init(shard: "other")),
            .init(title: "someone else", status: "failed"))
        try fixture.insert()
        let newestFirst = Array(expected.reversed())

        let response = try await HTTPClient.send("GET", "\(base)/api/v1/tests/\(testID)/history")
        XCTAssertEqual(response.status, 200, response.text)
        let json = try response.json()
        let test = try XCTUnwrap(json["test"] as? [String: Any])
        XCTAssertEqual(test["test_id"] as? String, testID)
        XCTAssertEqual(test["title"] as? String, "new title", "the header describes the test as its latest result does")
        XCTAssertEqual(test["full_title"] as? String, "History new title")
        XCTAssertEqual(test["file"] as? String, "tests/history_2.py")
        XCTAssertEqual(test["suite_path"] as? [String], ["suite"])
        XCTAssertEqual(test["project"] as? String, "chromium")
        let items = try XCTUnwrap(json["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["case_id"] as? String }, newestFirst.map(\.caseID))
        XCTAssertEqual(items.map { $0["run_id"] as? String }, newestFirst.map(\.runID))
        XCTAssertEqual(items.map { $0["status"] as? String }, ["flaky", "failed", "passed"])
        XCTAssertEqual(items.map { $0["run_status"] as? String }, ["running", "incomplete", "completed"])
        XCTAssertEqual(items.map { $0["branch"] as? String }, ["main", "feature/y", "main"])
        XCTAssertEqual(items.map { $0["commit"] as? String }, ["abcdef2", "abcdef1", "abcdef0"])
        XCTAssertEqual(items.map { $0["run_name"] as? String }, ["e2e", "e2e", "e2e"])
        XCTAssertEqual(items.map { $0["duration_ms"] as? Double }, [300, 200, 100])
        XCTAssertEqual(items.map { $0["attempt_count"] as? Int }, [3, 2, 1])
        XCTAssertEqual(items.first?["created_at"] as? String, "2030-01-01T00:00:10.000000Z")
        XCTAssertTrue(json["next_cursor"] is NSNull)

        let pages = try await pages("/api/v1/tests/\(testID)/history", limit: 2, idKey: "case_id")
        XCTAssertEqual(pages.map(\.count), [2, 1])
        XCTAssertEqual(pages.flatMap { $0 }, newestFirst.map(\.caseID))

        try await assertNotFound("/api/v1/tests/\(UUID().uuidString.lowercased())/history")
        try await assertInvalid("/api/v1/tests/login-works/history", parameter: "test_id")
        let timeCursor = Data("2030-01-01T00:00:00Z|\(testID)".utf8).base64URL
        try await assertInvalid("/api/v1/tests/\(testID)/history?cursor=\(timeCursor)", parameter: "cursor")
    }

    // MARK: Downloads

    func testRawReportRedirectsToItsBytes() async throws {
        let store = try artifactStore()
        let key = "reports/\(UUID().uuidString)/junit.xml"
        let bytes = Array("<testsuite name=\"raw\" tests=\"1\"/>\n".utf8)
        try store.put(key, bytes: bytes, contentType: "application/xml")

        var fixture = ReadFixture()
        let runID = fixture.run(.init())
        let uploaded = fixture.report(run: runID, .init(shard: "1"))
        let pending = fixture.report(run: runID, .init(shard: "2", status: "registered"))
        let fileless = fixture.report(run: runID, .init(shard: "3", status: "registered"))
        fixture.reportFile(report: uploaded, name: "results/junit.xml", objectKey: key, size: bytes.count, verified: true)
        fixture.reportFile(report: pending, name: "pending.xml", objectKey: "reports/pending.xml", size: 1, verified: false)
        try fixture.insert()

        let redirect = try await NoRedirectClient.get("\(base)/api/v1/reports/\(uploaded)/raw")
        XCTAssertEqual(redirect.status, 302, redirect.text)
        let location = try XCTUnwrap(redirect.headers["location"])
        XCTAssertTrue(location.hasPrefix("\(base)/_s3/verdict-artifacts/"), location)
        let components = try XCTUnwrap(URLComponents(string: location))
        let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        XCTAssertEqual(query["X-Amz-Expires"], "300")
        XCTAssertEqual(query["response-content-disposition"], "attachment; filename=\"junit.xml\"")
        let download = try await HTTPClient.send("GET", location)
        XCTAssertEqual(download.status, 200, download.text)
        XCTAssertEqual(Array(download.body), bytes)
        XCTAssertEqual(download.headers["content-disposition"], "attachment; filename=\"junit.xml\"")

        let notUploaded = try await HTTPClient.send("GET", "\(base)/api/v1/reports/\(pending)/raw")
        XCTAssertEqual(notUploaded.status, 409, notUploaded.text)
        XCTAssertEqual(notUploaded.errorCode(), "report_not_uploaded")
        try await assertNotFound("/api/v1/reports/\(fileless)/raw")
        try await assertNotFound("/api/v1/reports/\(UUID().uuidString.lowercased())/raw")
        try await assertInvalid("/api/v1/reports/raw/raw", parameter: "id")
    }

    func testAttachmentRedirectsWhenStoredAndSaysWhyWhenNot() async throws {
        let store = try artifactStore()
        let key = "attachments/\(UUID().uuidString)/screen shot.png"
        let bytes: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]
        try store.put(key, bytes: bytes, contentType: "image/png")

        var fixture = ReadFixture()
        let runID = fixture.run(.init())
        let reportID = fixture.report(run: runID)
        let caseID = fixture.testCase(run: runID, report: reportID, .init(status: "failed"))
        let stored = fixture.attachment(
            case: caseID, report: reportID, name: "screen shot.png", path: "/ci/screen shot.png", objectKey: key, size: bytes.count)
        let notStored = fixture.attachment(
            case: caseID, report: reportID, name: "video.webm", kind: "video", path: "/ci/videos/video.webm", objectKey: nil)
        // Playwright names a trace "trace" and writes it to …/trace.zip.
        let traceKey = "attachments/\(UUID().uuidString)/trace"
        try store.put(traceKey, bytes: [0x50, 0x4b, 3, 4], contentType: "binary/octet-stream")
        let trace = fixture.attachment(
            case: caseID, report: reportID, name: "trace", kind: "trace", path: "/ci/test-results/a/trace.zip", objectKey: traceKey,
            size: 4, contentType: "application/zip")
        try fixture.insert()

        let redirect = try await NoRedirectClient.get("\(base)/api/v1/attachments/\(stored)")
        XCTAssertEqual(redirect.status, 302, redirect.text)
        XCTAssertEqual(redirect.headers["cache-control"], "no-store")
        let location = try XCTUnwrap(redirect.headers["location"])
        let download = try await HTTPClient.send("GET", location)
        XCTAssertEqual(download.status, 200, download.text)
        XCTAssertEqual(Array(download.body), bytes)
        // A screenshot opens in the browser, with its type.
        XCTAssertEqual(download.headers["content-disposition"], "inline; filename=\"screen shot.png\"")
        XCTAssertEqual(download.headers["content-type"], "image/png")
        let traceRedirect = try await NoRedirectClient.get("\(base)/api/v1/attachments/\(trace)")
        let traceDownload = try await HTTPClient.send("GET", try XCTUnwrap(traceRedirect.headers["location"]))
        XCTAssertEqual(
            traceDownload.headers["content-disposition"], "attachment; filename=\"trace.zip\"", "a trace downloads by its real name")
        XCTAssertEqual(traceDownload.headers["content-type"], "application/zip")

        let missing = try await HTTPClient.send("GET", "\(base)/api/v1/attachments/\(notStored)")
        XCTAssertEqual(missing.status, 404, missing.text)
        XCTAssertEqual(missing.errorCode(), "attachment_not_stored")
        let message = try XCTUnwrap((try missing.json()["error"] as? [String: Any])?["message"] as? String)
        XCTAssertTrue(message.contains("/ci/videos/video.webm"), message)
        try await assertNotFound("/api/v1/attachments/\(UUID().uuidString.lowercased())")
        try await assertInvalid("/api/v1/attachments/%20", parameter: "id")
    }

    // MARK: Helpers

    /// A client of the emulator's local S3 with the bucket the template's handlers use.
    func artifactStore() throws -> ObjectStore {
        ObjectStore(
            configuration: ObjectStoreConfiguration(
                bucket: "verdict-artifacts", region: "us-east-1",
                credentials: SigV4Credentials(
                    accessKeyID: "verdict-local",
                    secretAccessKey: try LocalS3EndToEndTests.readSecret(stateDirectory: Self.emulator.stateDirectory)),
                endpoint: try S3Endpoint("\(base)/_s3"), addressingStyle: .path))
    }

    func items(_ path: String, file: StaticString = #filePath, line: UInt = #line) async throws -> [[String: Any]] {
        let response = try await HTTPClient.send("GET", base + path)
        XCTAssertEqual(response.status, 200, "\(path): \(response.text)", file: file, line: line)
        return try XCTUnwrap(try response.json()["items"] as? [[String: Any]], file: file, line: line)
    }

    func itemIDs(_ response: HTTPResult, idKey: String = "id") throws -> [String] {
        (try response.json()["items"] as? [[String: Any]] ?? []).compactMap { $0[idKey] as? String }
    }

    /// Every page of a list, following `next_cursor` until it is null.
    func pages(_ path: String, limit: Int, idKey: String = "id", file: StaticString = #filePath, line: UInt = #line) async throws
        -> [[String]]
    {
        var pages: [[String]] = []
        var cursor: String?
        let separator = path.contains("?") ? "&" : "?"
        repeat {
            let url = "\(base)\(path)\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await HTTPClient.send("GET", url)
            XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
            pages.append(try itemIDs(response, idKey: idKey))
            cursor = try response.json()["next_cursor"] as? String
            if pages.count > 50 { XCTFail("pagination does not end", file: file, line: line) }
        } while cursor != nil && pages.count <= 50
        return pages
    }

    func assertInvalid(_ path: String, parameter: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = try await HTTPClient.send("GET", base + path)
        XCTAssertEqual(response.status, 400, "\(path): \(response.text)", file: file, line: line)
        XCTAssertEqual(response.errorCode(file: file, line: line), "invalid_parameter", path, file: file, line: line)
        let message = (try? response.json()["error"] as? [String: Any])??["message"] as? String ?? ""
        XCTAssertTrue(
            message.hasPrefix("\(parameter):"), "\(path): message '\(message)' does not name \(parameter)", file: file, line: line)
    }

    func assertNotFound(_ path: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = try await HTTPClient.send("GET", base + path)
        XCTAssertEqual(response.status, 404, "\(path): \(response.text)", file: file, line: line)
        XCTAssertEqual(response.errorCode(file: file, line: line), "not_found", path, file: file, line: line)
    }
}

/// Requests whose redirects are returned, not followed, so a test can read `Location`.
enum NoRedirectClient {
    final class Delegate: NSObject, URLSessionTaskDelegate {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest,
            completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    static let session = URLSession(configuration: .ephemeral, delegate: Delegate(), delegateQueue: nil)

    static func get(_ url: String) async throws -> HTTPResult {
        let (data, response) = try await session.data(for: URLRequest(url: URL(string: url)!))
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return HTTPResult(status: http.statusCode, headers: headers, body: data)
    }
}

extension Data {
    /// Base64url without padding, the alphabet cursors use.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension String {
    var queryEncoded: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self }
}
