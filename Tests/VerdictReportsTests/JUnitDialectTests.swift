import VerdictReports
import XCTest

final class JUnitDialectTests: XCTestCase {
    func testSurefireFlakyFailureMakesTheCaseFlakyWithEarlierAttempts() throws {
        let report = try parse(
            """
            <testsuite name="org.acme.FlakyTest" tests="1">
              <testcase name="testApp" classname="org.acme.FlakyTest" time="0.25">
                <flakyFailure message="first" type="java.lang.AssertionError">
                  <stackTrace><![CDATA[java.lang.AssertionError: first
                at org.acme.FlakyTest.testApp(FlakyTest.java:10)]]></stackTrace>
                  <system-out><![CDATA[run 1 output]]></system-out>
                </flakyFailure>
                <flakyError message="second" type="java.lang.IllegalStateException">
                  <stackTrace>java.lang.IllegalStateException: second</stackTrace>
                </flakyError>
                <system-out>final output</system-out>
              </testcase>
            </testsuite>
            """)
        let testCase = try XCTUnwrap(report.cases.first)
        XCTAssertEqual(testCase.status, .flaky)
        XCTAssertEqual(report.totals, ReportTotals(tests: 1, passed: 1, flaky: 1))
        XCTAssertEqual(testCase.attempts.map(\.status), [.failed, .errored, .passed])
        XCTAssertEqual(testCase.attempts.map(\.index), [0, 1, 2])
        XCTAssertEqual(testCase.attempts[0].error?.message, "first")
        XCTAssertEqual(testCase.attempts[0].error?.type, "java.lang.AssertionError")
        XCTAssertTrue(testCase.attempts[0].error?.stack?.contains("FlakyTest.java:10") == true)
        XCTAssertEqual(testCase.attempts[0].stdout, "run 1 output")
        XCTAssertEqual(testCase.attempts[1].error?.stack, "java.lang.IllegalStateException: second")
        XCTAssertEqual(testCase.attempts[2].stdout, "final output")
        XCTAssertEqual(testCase.attempts[2].durationMs, 250)
    }

    func testSurefireRerunFailureIsAFailureWithRetries() throws {
        let report = try parse(
            """
            <testsuite name="AlwaysFailTest">
              <testcase name="testApp" classname="io.AlwaysFailTest" time="0.001">
                <failure message="built to fail" type="AssertionFailedError">trace 1</failure>
                <rerunFailure message="built to fail" type="AssertionFailedError"><stackTrace>trace 2</stackTrace></rerunFailure>
                <rerunError message="crashed" type="NullPointerException"><stackTrace>trace 3</stackTrace></rerunError>
              </testcase>
            </testsuite>
            """)
        let testCase = try XCTUnwrap(report.cases.first)
        XCTAssertEqual(testCase.status, .failed)
        XCTAssertEqual(testCase.attempts.map(\.status), [.failed, .failed, .errored])
        XCTAssertEqual(testCase.attempts.map { $0.error?.stack }, ["trace 1", "trace 2", "trace 3"])
        XCTAssertEqual(report.totals, ReportTotals(tests: 1, failed: 1))
    }

    /// The corpus rule: error > failure > skipped > passed, whatever else the case contains.
    func testSeveralResultElementsInOneCase() throws {
        let report = try parse(
            """
            <testsuites><testsuite name="s">
              <testcase name="a"><skipped/><failure message="f">assert</failure><error message="e">teardown</error></testcase>
              <testcase name="b"><skipped/><failure message="f"/></testcase>
              <testcase name="c"><skipped message="not today"/></testcase>
              <testcase name="d"/>
            </testsuite></testsuites>
            """)
        XCTAssertEqual(report.cases.map(\.status), [.errored, .failed, .skipped, .passed])
        XCTAssertEqual(report.cases[0].attempts[0].errors.map(\.message), ["f", "e"])
        XCTAssertEqual(report.cases[2].skipReason, "not today")
        XCTAssertEqual(report.totals, ReportTotals(tests: 4, passed: 1, failed: 1, skipped: 1, errors: 1))
    }

    /// PHPUnit nests suites and puts cases at several levels; a bare <testsuite> may be the root.
    func testNestedSuitesWithCasesAtSeveralLevels() throws {
        let report = try parse(
            """
            <testsuite name="All" file="/app/tests">
              <testcase name="top" classname="All"/>
              <testsuite name="Unit">
                <testsuite name="FooTest" file="/app/tests/FooTest.php">
                  <testcase name="testFoo" classname="FooTest" file="/app/tests/FooTest.php" line="12" time="0.5"/>
                </testsuite>
                <testcase name="middle" classname="Unit"/>
              </testsuite>
            </testsuite>
            """)
        XCTAssertEqual(report.suites.map(\.path), [["All"], ["All", "Unit"], ["All", "Unit", "FooTest"]])
        XCTAssertEqual(report.cases.map(\.title), ["top", "testFoo", "middle"])
        XCTAssertEqual(report.cases.map(\.suitePath), [["All"], ["All", "Unit", "FooTest"], ["All", "Unit"]])
        XCTAssertEqual(report.cases[1].file, "/app/tests/FooTest.php")
        XCTAssertEqual(report.cases[1].line, 12)
        XCTAssertEqual(report.cases[2].file, "/app/tests", "file is inherited from the enclosing suite")
    }

    func testClassnameJoinsThePathUnlessItRepeatsTheTitle() throws {
        let report = try parse(
            """
            <testsuites>
              <testsuite name="pytest">
                <testcase classname="tests.test_api.ApiTests" name="test_get"/>
              </testsuite>
              <testsuite name="login">
                <testcase classname="login works" name="login works"/>
              </testsuite>
            </testsuites>
            """)
        XCTAssertEqual(report.cases[0].suitePath, ["pytest", "tests.test_api.ApiTests"])
        XCTAssertEqual(report.cases[0].fullTitle, "tests.test_api.ApiTests.test_get")
        XCTAssertEqual(report.cases[1].suitePath, ["login"])
        XCTAssertEqual(report.cases[1].fullTitle, "login works")
    }

    func testPropertiesOutputAndAttachments() throws {
        let report = try parse(
            """
            <testsuites>
              <testsuite name="s" hostname="ci-7" timestamp="2024-01-03T12:27:15+01:00" time="1,500.5">
                <properties>
                  <property name="java.version" value="21"/>
                  <property name="config">
                    line 1
                    line 2
                  </property>
                </properties>
                <testcase name="t" classname="C">
                  <properties><property name="test_key" value="XTP-1"/></properties>
                  <system-out>hello
            [[ATTACHMENT|/tmp/shots/failure.png]]
            </system-out>
                  <system-err><![CDATA[warn [[ATTACHMENT|logs/run.log]]]]></system-err>
                </testcase>
                <system-out>suite output [[ATTACHMENT|/tmp/suite-video.webm]]</system-out>
                <system-err>suite errors</system-err>
              </testsuite>
            </testsuites>
            """)
        let suite = try XCTUnwrap(report.suites.first)
        XCTAssertEqual(suite.hostname, "ci-7")
        XCTAssertEqual(suite.startedAtMs, 1_704_281_235_000)
        XCTAssertEqual(suite.durationMs, 1_500_500)
        XCTAssertEqual(suite.properties, [ParsedProperty("java.version", "21"), ParsedProperty("config", "line 1\n        line 2")])
        XCTAssertEqual(suite.systemErr, "suite errors")
        XCTAssertEqual(suite.attachments.map(\.kind), [.video])
        let testCase = try XCTUnwrap(report.cases.first)
        XCTAssertEqual(testCase.properties, [ParsedProperty("test_key", "XTP-1")])
        XCTAssertTrue(testCase.attempts[0].stdout?.hasPrefix("hello") == true)
        XCTAssertEqual(testCase.attachments.map(\.path), ["/tmp/shots/failure.png", "logs/run.log"])
        XCTAssertEqual(testCase.attachments.map(\.kind), [.screenshot, .log])
        XCTAssertEqual(testCase.attachments.map(\.name), ["failure.png", "run.log"])
    }

    /// Counting follows the result elements (the corpus rule); the tool's word is kept.
    func testStatusAttributeIsKeptAsRawStatus() throws {
        let report = try parse(
            """
            <testsuites disabled="1"><testsuite name="s" disabled="1">
              <testcase name="a" status="passed"/>
              <testcase name="b" status="disabled"/>
              <testcase name="c" status="run"><error message="exit 1"/></testcase>
            </testsuite></testsuites>
            """)
        XCTAssertEqual(report.cases.map(\.rawStatus), ["passed", "disabled", "run"])
        XCTAssertEqual(report.cases.map(\.status), [.passed, .passed, .errored])
    }

    func testSuiteLevelErrorBelongsToTheSuite() throws {
        let report = try parse(
            """
            <testsuite name="gda.XHDetectorTest" errors="1" tests="1">
              <error message="gda/device/DAServer" type="java.lang.NoClassDefFoundError">java.lang.NoClassDefFoundError</error>
            </testsuite>
            """)
        XCTAssertEqual(report.totals.tests, 0)
        XCTAssertEqual(
            report.suites.first?.errors,
            [ParsedError(message: "gda/device/DAServer", type: "java.lang.NoClassDefFoundError", stack: "java.lang.NoClassDefFoundError")])
    }

    func testMalformedCaseIsSkippedWithAWarning() throws {
        let report = try parse(
            """
            <testsuite name="s">
              <testcase name="ok" time="abc"/>
              <testcase name="outer"><testcase name="inner"/></testcase>
              <testcase name="negative" time="-3.5"/>
            </testsuite>
            """)
        XCTAssertEqual(report.cases.map(\.title), ["ok", "outer", "negative"])
        XCTAssertEqual(report.warnings.count, 2, "\(report.warnings)")
        XCTAssertTrue(report.warnings[0].contains("'abc' is not a number"), report.warnings[0])
        XCTAssertTrue(report.warnings[1].contains("nested"), report.warnings[1])
        XCTAssertNil(report.cases[2].durationMs, "negative times mean unknown")
    }

    func testNamespacedRootAndEntitiesInText() throws {
        let report = try parse(
            """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <j:testsuites xmlns:j="urn:junit"><j:testsuite name="s">
              <j:testcase name="a &amp; b &lt;c&gt; &#x263A;"><j:failure message="&quot;quoted&quot;"/></j:testcase>
            </j:testsuite></j:testsuites>
            """)
        XCTAssertEqual(report.cases.first?.title, "a & b <c> \u{263A}")
        XCTAssertEqual(report.cases.first?.attempts.first?.error?.message, "\"quoted\"")
    }

    func testForeignRootIsNotAReport() {
        let error = parseError("<?xml version=\"1.0\"?>\n<html><body/></html>")
        XCTAssertEqual(error?.code, .notAReport)
        XCTAssertTrue(error?.message.contains("<html>") == true)
    }

    /// Long system-out logs exceed libxml2's default 10 MB text-node limit.
    func testHugeTextNodeAndManyCasesStream() throws {
        var xml = "<testsuites><testsuite name=\"big\">"
        xml += "<system-out>" + String(repeating: "0123456789abcdef\n", count: 700_000) + "</system-out>"
        for i in 0..<20_000 {
            xml += "<testcase classname=\"pkg.Class\(i % 50)\" name=\"test\(i)\" time=\"0.01\">"
            if i % 100 == 0 { xml += "<failure message=\"boom \(i)\">stack</failure>" }
            xml += "</testcase>"
        }
        xml += "</testsuite></testsuites>"
        let report = try parse(xml)
        XCTAssertEqual(report.totals, ReportTotals(tests: 20_000, passed: 19_800, failed: 200))
        XCTAssertEqual(report.suites.first?.systemOut?.utf8.count, 17 * 700_000)
    }
}
