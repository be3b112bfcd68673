import VerdictReports
import XCTest

final class PlaywrightTests: XCTestCase {
    private let report = """
        {"config": {"version": "1.45.0"},
         "suites": [{"title": "login.spec.ts", "file": "login.spec.ts", "specs": [], "suites": [
           {"title": "Login", "file": "login.spec.ts", "specs": [
             {"title": "signs in", "file": "login.spec.ts", "line": 7, "tags": ["@smoke"], "tests": [
               {"projectName": "chromium", "status": "flaky", "expectedStatus": "passed",
                "annotations": [{"type": "issue", "description": "JIRA-1"}],
                "results": [
                  {"retry": 0, "status": "failed", "duration": 120, "startTime": "2024-05-01T10:00:00.000Z",
                   "errors": [{"message": "\\u001b[31mTimeout\\u001b[39m", "stack": "Error: Timeout\\n at login.spec.ts:9"}],
                   "stdout": [{"text": "try 1\\n"}], "stderr": [],
                   "attachments": [{"name": "screenshot", "contentType": "image/png", "path": "/r/shot.png"},
                                   {"name": "trace", "contentType": "application/zip", "path": "/r/trace.zip"}]},
                  {"retry": 1, "status": "passed", "duration": 80, "errors": [], "stdout": [], "stderr": [],
                   "attachments": [{"name": "video", "contentType": "video/webm", "path": "/r/video.webm"}]}
                ]},
               {"projectName": "firefox", "status": "skipped", "expectedStatus": "skipped",
                "annotations": [{"type": "skip", "description": "not on firefox"}], "results": []},
               42
             ]}
           ]}
         ]}],
         "errors": [{"message": "global setup warning"}],
         "stats": {"startTime": "2024-05-01T09:59:59.000Z", "duration": 1234.5}}
        """

    func testRetriesThatPassMakeAFlakyTest() throws {
        let parsed = try parse(report)
        XCTAssertEqual(parsed.format, .playwright)
        XCTAssertEqual(parsed.toolVersion, "1.45.0")
        XCTAssertEqual(parsed.startedAtMs, 1_714_557_599_000)
        let flaky = try XCTUnwrap(parsed.cases.first)
        XCTAssertEqual(flaky.status, .flaky)
        XCTAssertEqual(flaky.rawStatus, "flaky")
        XCTAssertEqual(flaky.project, "chromium")
        XCTAssertEqual(flaky.suitePath, ["Login"])
        XCTAssertEqual(flaky.file, "login.spec.ts")
        XCTAssertEqual(flaky.line, 7)
        XCTAssertEqual(flaky.fullTitle, "Login › signs in")
        XCTAssertEqual(flaky.tags, ["@smoke"])
        XCTAssertEqual(flaky.annotations, [ParsedAnnotation(type: "issue", description: "JIRA-1")])
        XCTAssertEqual(flaky.attempts.map(\.status), [.failed, .passed])
        XCTAssertEqual(flaky.attempts[0].error?.message, "Timeout", "terminal colours are stripped")
        XCTAssertEqual(flaky.attempts[0].stdout, "try 1\n")
        XCTAssertEqual(flaky.durationMs, 200)
        XCTAssertEqual(flaky.attachments.map(\.kind), [.screenshot, .trace, .video])
        XCTAssertEqual(flaky.attachments.map(\.attempt), [0, 0, 1])
        XCTAssertEqual(parsed.runErrors.map(\.message), ["global setup warning"])
    }

    func testSkippedProjectAndMalformedEntry() throws {
        let parsed = try parse(report)
        let skipped = try XCTUnwrap(parsed.cases.last)
        XCTAssertEqual(skipped.status, .skipped)
        XCTAssertEqual(skipped.project, "firefox")
        XCTAssertEqual(skipped.skipReason, "not on firefox")
        XCTAssertEqual(skipped.attempts.count, 1, "a case always has an attempt")
        XCTAssertNotEqual(parsed.cases[0].identity, skipped.identity, "projects are different tests")
        XCTAssertEqual(parsed.totals, ReportTotals(tests: 2, passed: 1, skipped: 1, flaky: 1))
        XCTAssertEqual(parsed.warnings.count, 1)
        XCTAssertTrue(parsed.warnings[0].contains("tests[2]"), parsed.warnings[0])
    }
}

final class MochawesomeTests: XCTestCase {
    func testCypressResultsWithScreenshotsHooksAndPending() throws {
        let parsed = try parse(
            """
            {"stats": {"tests": 4, "start": "2024-02-01T08:00:00.000Z", "duration": 900},
             "meta": {"mochawesome": {"version": "7.1.3"}},
             "results": [false, {
               "title": "", "root": true, "file": "cypress/e2e/cart.cy.ts", "tests": [], "beforeHooks": [], "afterHooks": [],
               "suites": [{
                 "title": "Cart", "file": "cypress/e2e/cart.cy.ts", "beforeHooks": [], "afterHooks": [],
                 "tests": [
                   {"title": "adds an item", "fullTitle": "Cart adds an item", "duration": 300, "state": "failed",
                    "pass": false, "fail": true, "pending": false,
                    "err": {"message": "AssertionError: expected 1 to equal 2", "estack": "AssertionError: expected 1 to equal 2\\n at cart.cy.ts:10"},
                    "context": "[\\"assets/cart.cy.ts/Cart -- adds an item (failed).png\\", {\\"title\\": \\"build\\", \\"value\\": 42}]"},
                   {"title": "removes", "state": "passed", "pass": true, "fail": false, "pending": false, "duration": 20},
                   {"title": "later", "state": "pending", "pass": false, "fail": false, "pending": true},
                   {"fullTitle": "no title here"}
                 ],
                 "suites": [{"title": "Checkout", "tests": [], "suites": [],
                   "beforeHooks": [{"title": "\\"before all\\" hook", "state": "failed", "fail": true, "err": {"message": "login failed"}}],
                   "afterHooks": []}]
               }]
             }]}
            """)
        XCTAssertEqual(parsed.format, .mochawesome)
        XCTAssertEqual(parsed.toolVersion, "7.1.3")
        XCTAssertEqual(parsed.totals, ReportTotals(tests: 3, passed: 1, failed: 1, skipped: 1))
        let failed = parsed.cases[0]
        XCTAssertEqual(failed.suitePath, ["Cart"])
        XCTAssertEqual(failed.file, "cypress/e2e/cart.cy.ts")
        XCTAssertEqual(failed.attempts[0].error?.message, "AssertionError: expected 1 to equal 2")
        XCTAssertEqual(failed.attachments.map(\.kind), [.screenshot])
        XCTAssertEqual(failed.attachments.first?.path, "assets/cart.cy.ts/Cart -- adds an item (failed).png")
        XCTAssertEqual(failed.annotations, [ParsedAnnotation(type: "build", description: "42")])
        XCTAssertEqual(parsed.cases[2].rawStatus, "pending")
        XCTAssertEqual(parsed.suites.last?.path, ["Cart", "Checkout"])
        XCTAssertEqual(parsed.suites.last?.errors.first?.message, "login failed")
        XCTAssertEqual(parsed.warnings.count, 1, "the entry without a title")
    }

    /// mochawesome before 4.0 wrote one `suites` object instead of `results`.
    func testLegacySuitesObject() throws {
        let parsed = try parse(
            """
            {"stats": {"tests": 1}, "suites": {"title": "", "root": true, "tests": [], "suites": [
              {"title": "Old", "tests": [{"title": "works", "state": "passed", "pass": true}], "suites": []}]}}
            """)
        XCTAssertEqual(parsed.cases.map(\.suitePath), [["Old"]])
        XCTAssertEqual(parsed.totals.passed, 1)
    }
}

final class JestTests: XCTestCase {
    func testJSONOutputWithRetriesTodoAndFailedFile() throws {
        let parsed = try parse(
            """
            {"numTotalTests": 3, "startTime": 1700000000000, "testResults": [
              {"name": "/app/src/sum.test.ts", "status": "failed", "startTime": 1700000000100, "endTime": 1700000000900,
               "assertionResults": [
                 {"ancestorTitles": ["sum", "positive"], "title": "adds", "fullName": "sum positive adds",
                  "status": "passed", "duration": 5, "failureMessages": [], "invocations": 3,
                  "retryReasons": ["Error: flaky 1", "Error: flaky 2"], "location": {"line": 4, "column": 3}},
                 {"ancestorTitles": ["sum"], "title": "fails", "status": "failed", "duration": 2,
                  "failureMessages": ["\\u001b[31mError: expect(received).toBe(expected)\\u001b[39m\\n  at sum.test.ts:9"]},
                 {"ancestorTitles": [], "title": "later", "status": "todo", "failureMessages": []},
                 {"status": "passed"}
               ]},
              {"name": "/app/src/broken.test.ts", "status": "failed", "message": "Test suite failed to run\\n\\nSyntaxError", "assertionResults": []}
            ]}
            """)
        XCTAssertEqual(parsed.format, .jest)
        XCTAssertEqual(parsed.totals, ReportTotals(tests: 3, passed: 1, failed: 1, skipped: 1, flaky: 1))
        let flaky = parsed.cases[0]
        XCTAssertEqual(flaky.status, .flaky)
        XCTAssertEqual(flaky.suitePath, ["sum", "positive"])
        XCTAssertEqual(flaky.line, 4)
        XCTAssertEqual(flaky.attempts.map(\.status), [.failed, .failed, .passed])
        XCTAssertEqual(flaky.attempts[1].error?.message, "Error: flaky 2")
        XCTAssertEqual(parsed.cases[1].attempts[0].error?.message, "Error: expect(received).toBe(expected)")
        XCTAssertEqual(parsed.cases[2].rawStatus, "todo")
        XCTAssertEqual(parsed.suites.map(\.file), ["/app/src/sum.test.ts", "/app/src/broken.test.ts"])
        XCTAssertEqual(parsed.suites[1].errors.first?.message, "Test suite failed to run")
        XCTAssertEqual(parsed.warnings.count, 1)
    }

    func testAggregatedResultShapeWithDisplayName() throws {
        let parsed = try parse(
            """
            {"testResults": [{"testFilePath": "/p/a.test.js", "displayName": {"name": "web", "color": "blue"},
              "testExecError": null, "perfStats": {"start": 1, "end": 2},
              "testResults": [{"ancestorTitles": ["a"], "title": "b", "status": "pending", "failureMessages": []}]}]}
            """)
        XCTAssertEqual(parsed.cases.first?.project, "web")
        XCTAssertEqual(parsed.cases.first?.status, .skipped)
        XCTAssertEqual(parsed.suites.first?.errors, [])
    }
}

final class CTRFTests: XCTestCase {
    func testCurrentShapeWithRetryAttemptsAndInlineScreenshot() throws {
        let parsed = try parse(
            """
            {"reportFormat": "CTRF", "specVersion": "1.0.0", "results": {
              "tool": {"name": "playwright", "version": "1.50.0"},
              "summary": {"tests": 3, "start": 1700000000000, "stop": 1700000005000},
              "tests": [
                {"name": "checkout", "status": "passed", "duration": 52, "suite": ["Shop", "Cart"], "filePath": "tests/cart.spec.ts",
                 "browser": "chromium 121.0.6167.184", "flaky": true, "retries": 1, "tags": ["@e2e"], "labels": {"owner": "team-a"},
                 "retryAttempts": [
                   {"attempt": 1, "status": "failed", "duration": 50, "message": "Timeout", "trace": "at cart.spec.ts:3",
                    "attachments": [{"name": "retry.png", "contentType": "image/png", "path": "/a/retry.png"}]},
                   {"attempt": 2, "status": "passed", "duration": 52}]},
                {"name": "pays", "status": "failed", "message": "\\u001b[31mdeclined\\u001b[39m", "trace": "Error: declined",
                 "screenshot": "iVBORw0KGgo=", "stdout": ["a", "b"]},
                {"name": "later", "status": "other", "rawStatus": "interrupted"},
                "not a test"
              ]}}
            """)
        XCTAssertEqual(parsed.format, .ctrf)
        XCTAssertEqual(parsed.toolName, "playwright")
        XCTAssertEqual(parsed.durationMs, 5000)
        XCTAssertEqual(parsed.totals, ReportTotals(tests: 3, passed: 1, failed: 1, skipped: 1, flaky: 1))
        let flaky = parsed.cases[0]
        XCTAssertEqual(flaky.status, .flaky)
        XCTAssertEqual(flaky.project, "chromium", "browser version dropped from the identity")
        XCTAssertEqual(flaky.suitePath, ["Shop", "Cart"])
        XCTAssertEqual(flaky.attempts.map(\.status), [.failed, .passed])
        XCTAssertEqual(flaky.attempts[0].error?.message, "Timeout")
        XCTAssertEqual(flaky.attachments.first?.attempt, 0)
        XCTAssertTrue(flaky.properties.contains(ParsedProperty("owner", "team-a")))
        let failed = parsed.cases[1]
        XCTAssertEqual(failed.attempts.last?.error?.message, "declined")
        XCTAssertEqual(failed.attempts.last?.stdout, "a\nb")
        XCTAssertEqual(failed.attachments.first?.inlineBase64, "iVBORw0KGgo=")
        XCTAssertEqual(failed.attachments.first?.kind, .screenshot)
        XCTAssertEqual(parsed.cases[2].rawStatus, "interrupted")
        XCTAssertEqual(parsed.warnings.count, 1)
    }

    /// Early reporters: `suite` as a " > " string holding the full title, `retry`/`flake`.
    func testLegacyShape() throws {
        let parsed = try parse(
            """
            {"results": {"tool": {"name": "vitest"}, "summary": {"tests": 2}, "tests": [
              {"name": "math > add > works", "status": "passed", "suite": "math > add > works", "retry": 2, "flake": true},
              {"name": "works too", "status": "passed", "suite": "math > sub", "retry": 0, "flake": false}
            ]}}
            """)
        XCTAssertEqual(parsed.cases.map(\.suitePath), [["math", "add"], ["math", "sub"]])
        XCTAssertEqual(parsed.cases.map(\.title), ["works", "works too"])
        XCTAssertEqual(parsed.cases.map(\.status), [.flaky, .passed])
        XCTAssertEqual(parsed.cases[0].attempts.map(\.status), [.failed, .failed, .passed])
        XCTAssertEqual(parsed.suites.map(\.path), [["math"], ["math", "add"], ["math", "sub"]])
    }
}
