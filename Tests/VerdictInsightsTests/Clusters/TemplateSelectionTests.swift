import VerdictInsights
import XCTest

/// Which lines of a multi-line message make the template, with messages from the corpus.
final class TemplateSelectionTests: XCTestCase {
    /// playwright-json/daun__playwright-report-summary/report-valid.json: headline and the
    /// Expected/Received lines; the code frame and the stack line are left out.
    func testPlaywrightKeepsHeadlineAndLabelLinesNotTheCodeFrame() {
        let message =
            "Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 4\nReceived: 3\n\n   8 | \t});\n   9 | \ttest('adds', async () => {\n> 10 | \t\texpect(add(1, 2)).toBe(4);\n     | \t\t                  ^\n  11 | \t});\n  12 | });\n  13 |\n\n    at /project/tests/functional/add.spec.ts:10:21"
        let fingerprint = FailureFingerprint(errorType: nil, message: message, stack: nil)
        XCTAssertNil(fingerprint.errorType, "JavaScript's bare `Error` is no type")
        XCTAssertEqual(fingerprint.template, "expect(received).toBe(expected) // Object.is equality Expected: <num> Received: <num>")
        XCTAssertEqual(fingerprint.frames, ["tests/functional/add.spec.ts"])
    }

    /// jest-json/dkelosky__jest-stare/demoTests.json: the snapshot diff is data.
    func testJestDiffBodyIsLeftOut() {
        let stack =
            "Error: expect(value).toMatchSnapshot()\n\nReceived value does not match stored snapshot 1.\n\n- Snapshot\n+ Received\n\n  Object {\n    \"firstKey\": \"firstValue\",\n-   \"secondKey\": \"secondValue\",\n+   \"secondKey\": \"wrongValue\",\n  }\n    at Object.it (C:\\Dev\\node\\jest-stare\\__tests__\\__examples__\\DemoTests.example.ts:11:69)"
        let fingerprint = FailureFingerprint(errorType: nil, message: "Error: expect(value).toMatchSnapshot()", stack: stack)
        XCTAssertEqual(fingerprint.template, "expect(value).toMatchSnapshot() Received value does not match stored snapshot <num>.")
        XCTAssertEqual(fingerprint.frames, ["__tests__/__examples__/DemoTests.example.ts:Object.it"])
    }

    /// The same Jest failure from its JSON (first line as message) and its JUnit output (empty
    /// message, everything in the stack) gets one id.
    func testJestJSONAndJUnitShapesAgree() {
        let stack =
            "Error: expect(received).toBeTruthy()\n\nReceived: false\n    at Object.<anonymous> (/ci/reports/jest/__tests__/main.test.js:10:21)"
        let fromJSON = FailureFingerprint(errorType: nil, message: "Error: expect(received).toBeTruthy()", stack: stack)
        let fromJUnit = FailureFingerprint(errorType: nil, message: "", stack: stack)
        XCTAssertEqual(fromJSON.id, fromJUnit.id)
        XCTAssertEqual(fromJSON.template, "expect(received).toBeTruthy() Received: false")
    }

    /// junit/evmts__tevm-monorepo/results.xml: Playwright's JUnit output puts the test's title in
    /// the message and the error under the title in the body; it is the same failure as the JSON
    /// report's (playwright-json/evmts__tevm-monorepo/results.json).
    func testPlaywrightJUnitTitleMessageDefersToTheBody() {
        let body = """

              [chromium] \u{203A} ReadAndWrite.spec.ts:5:1 \u{203A} should be able to read and write ─────────────────────────

                Test timeout of 30000ms exceeded.

                attachment #1: screenshot (image/png) ──────────────────────────────────────────────────────────
                test-results/ReadAndWrite-should-be-able-to-read-and-write-chromium/test-failed-1.png
                ────────────────────────────────────────────────────────────────────────────────────────────────

                Retry #1 ───────────────────────────────────────────────────────────────────────────────────────

                Test timeout of 30000ms exceeded.
            """
        let junit = FailureFingerprint(
            errorType: "FAILURE", message: "ReadAndWrite.spec.ts:5:1 should be able to read and write", stack: body)
        let json = FailureFingerprint(errorType: nil, message: "Test timeout of 30000ms exceeded.", stack: nil)
        XCTAssertEqual(junit.template, "Test timeout of <num>ms exceeded.")
        XCTAssertEqual(junit.frames, [], "the title's location is the test's, not a frame of the error")
        XCTAssertNil(junit.errorType, "`FAILURE` is no type")
        XCTAssertEqual(junit.id, json.id)
    }

    /// ctrf/ska-telescope: the Playwright call log under `Call log:` is indented data.
    func testPlaywrightCallLogIsLeftOut() {
        let message =
            "Timed out 5000ms waiting for expect(locator).toHaveTitle(expected)\n\nLocator: locator(':root')\nExpected pattern: /Playwright/\nReceived string:  \"Fast and reliable\"\nCall log:\n  - expect.toHaveTitle with timeout 5000ms\n  - waiting for locator(':root')\n"
        XCTAssertEqual(
            FailureFingerprint(errorType: nil, message: message, stack: nil).template,
            "Timed out <num>ms waiting for expect(locator).toHaveTitle(expected) Locator: locator(<str>) Expected pattern: <regex> Received string: <str> Call log:"
        )
    }

    /// junit/EnricoMi…/pytest/junit.fail.xml: pytest squashes the report into the message; the
    /// `E` line in the stack is the error.
    func testPytestErrorLines() {
        let stack =
            "self = <test_spark.SparkTests testMethod=test_rsh_events>\n\n    def test_rsh_events(self):\n>       self.do_test_rsh_events(3)\n\ntest_spark.py:821:\n_ _ _ _ _ _\ntest_spark.py:852: in do_test_rsh\n    self.assertEqual(expected_result, res)\nE   AssertionError: 143 != 0\n"
        let fingerprint = FailureFingerprint(
            errorType: nil,
            message: "self = <test_spark.SparkTests testMethod=test_rsh_events> def test_rsh_events(self): > E AssertionError", stack: stack
        )
        XCTAssertEqual(fingerprint.errorType, "AssertionError")
        XCTAssertEqual(fingerprint.template, "<num> != <num>")
        XCTAssertEqual(fingerprint.frames, ["test_spark.py", "test_spark.py:do_test_rsh"])
    }

    /// junit/dorny__test-reporter/external/java/empty_failures.xml: a traceback in the message.
    func testPythonTracebackEndsWithTheError() {
        let message =
            "Traceback (most recent call last):\n  File \"/home/redacted/test_foo.py\", line 183, in test_other_case\n    self.assertFalse(True)\nAssertionError: True is not false\n"
        let fingerprint = FailureFingerprint(errorType: nil, message: message, stack: nil)
        XCTAssertEqual(fingerprint.errorType, "AssertionError")
        XCTAssertEqual(fingerprint.template, "True is not false")
        XCTAssertEqual(fingerprint.frames, ["test_foo.py:test_other_case"])
    }

    /// junit/jenkinsci__junit-plugin/junit-report-20090516.xml: the nested cause is indented but
    /// is the failure; the rest of the stack is not.
    func testJavaNestedExceptionLineIsKept() {
        let message = "RuntimeException; nested exception is: \n\tjava.lang.IllegalArgumentException: id to load is required for loading"
        XCTAssertEqual(
            FailureFingerprint(errorType: "java.rmi.ServerException", message: message, stack: nil).template,
            "RuntimeException; nested exception is: java.lang.IllegalArgumentException: id to load is required for loading")
    }

    /// gotestsum: `Failed` says nothing; the `go test` output under it does, without its
    /// `=== RUN` / `--- FAIL` chatter.
    func testPlaceholderMessageDefersToTheOutput() {
        let stack =
            "=== RUN   TestParallelTheFirst\n=== PAUSE TestParallelTheFirst\n=== CONT  TestParallelTheFirst\n    fails_test.go:29: failed the first\n--- FAIL: TestParallelTheFirst (0.01s)\n"
        let fingerprint = FailureFingerprint(errorType: "", message: "Failed", stack: stack)
        XCTAssertNil(fingerprint.errorType)
        XCTAssertEqual(fingerprint.template, "<path>: failed the first")
        XCTAssertEqual(fingerprint.frames, ["fails_test.go"])
        XCTAssertEqual(FailureFingerprint(errorType: nil, message: "Failed", stack: nil).template, "Failed")
    }

    /// Jest's `● Suite › test` title is not the failure (junit/dorny…/test-errors).
    func testJestTitleLineIsSkipped() {
        let stack =
            "  ● Test suite failed to run\n\n    tsconfig.json:13:3 - error TS6258: 'typeRoots' should be set inside the 'compilerOptions' object of the config json file\n\n    13   \"typeRoots\": [\"./src/lib/types\", \"./node_modules/@types\"],\n         ~~~~~~~~~~~\n"
        XCTAssertEqual(
            FailureFingerprint(errorType: nil, message: "", stack: stack).template,
            "<path> - error TS6258: <str> should be set inside the <str> object of the config json file")
    }

    func testTypeComesFromTheReportOrTheHeadline() {
        XCTAssertEqual(
            FailureFingerprint(errorType: nil, message: "TypeError: this.reader.reset is not a function", stack: nil).errorType, "TypeError"
        )
        let java = FailureFingerprint(
            errorType: nil, message: nil, stack: "java.lang.IllegalStateException: pool closed\n\tat com.acme.Pool.get(Pool.java:9)")
        XCTAssertEqual(java.errorType, "java.lang.IllegalStateException")
        XCTAssertEqual(java.template, "pool closed")
        XCTAssertEqual(java.frames, ["com.acme.Pool.get"])
        let given = FailureFingerprint(errorType: "AssertionError", message: "AssertionError: nope", stack: nil)
        XCTAssertEqual(given.errorType, "AssertionError")
        XCTAssertEqual(given.template, "nope")
        XCTAssertNil(FailureFingerprint(errorType: nil, message: "Expected: 4", stack: nil).errorType, "a label is not a type")
        XCTAssertEqual(
            FailureFingerprint(errorType: nil, message: "java.lang.NullPointerException", stack: nil).errorType,
            "java.lang.NullPointerException")
    }

    func testTemplateKeepsAtMostAFewLines() {
        let message = (1...20).map { "Line \($0) says: something" }.joined(separator: "\n")
        let template = FailureFingerprint(errorType: nil, message: message, stack: nil).template
        XCTAssertEqual(
            template,
            "Line <num> says: something Line <num> says: something Line <num> says: something Line <num> says: something Line <num> says: something"
        )
    }
}
