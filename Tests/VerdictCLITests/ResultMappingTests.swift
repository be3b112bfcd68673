import VerdictReports
import VerdictTestSupport
import XCTest

@testable import VerdictCLIKit

/// Per-unit results from real reports in the shared corpus.
final class ResultMappingTests: XCTestCase {
    func reading(_ path: String) throws -> ReportReading {
        let report = try Corpus.load().report(path)
        return .parsed(cases: report.cases, runErrors: report.runErrors)
    }

    func statuses(_ results: [UnitResult]) -> [String: UnitStatus] {
        Dictionary(uniqueKeysWithValues: results.map { ($0.unit, $0.status) })
    }

    /// pytest's JUnit without `file` attributes: the classname `tests.test_lib` names the file.
    func testPytestFilesByModuleName() throws {
        let results = UnitResults.map(
            units: ["tests/test_lib.py", "tests/test_other.py"], exit: .exited(1), wallMs: 1000,
            report: try reading("junit/dorny__test-reporter/python-xunit-pytest.xml"))
        XCTAssertEqual(statuses(results), ["tests/test_lib.py": .failed, "tests/test_other.py": .errored])
        let failed = results[0]
        XCTAssertEqual(failed.error, "tests.test_lib.test_always_fail: assert False (and 1 more failed)")
        XCTAssertEqual(results[1].error, "the command ended with exit status 1 and the report has no test of this unit")
    }

    /// pytest node ids: by file and name; a bare function name takes its parameterizations.
    func testPytestNodeIds() throws {
        let results = UnitResults.map(
            units: [
                "tests/test_lib.py::test_always_pass", "tests/test_lib.py::test_parameterized", "tests/test_lib.py::test_always_skip",
                "tests/test_lib.py::test_error", "tests/test_lib.py::test_parameterized[param2]",
            ], exit: .exited(1), wallMs: 0, report: try reading("junit/dorny__test-reporter/python-xunit-pytest.xml"))
        XCTAssertEqual(
            statuses(results),
            [
                "tests/test_lib.py::test_always_pass": .passed, "tests/test_lib.py::test_parameterized": .passed,
                "tests/test_lib.py::test_always_skip": .skipped, "tests/test_lib.py::test_error": .failed,
                "tests/test_lib.py::test_parameterized[param2]": .passed,
            ])
    }

    /// pytest with `file` attributes, node ids naming the class.
    func testPytestClassesInNodeIds() throws {
        let report = try reading("junit/EnricoMi__publish-unit-test-result-action/junit-xml/pytest/junit.fail.xml")
        let results = UnitResults.map(
            units: [
                "test/test_spark.py::SparkTests::test_rsh_events", "test/test_spark.py::SparkTests::test_get_col_info",
                "test/test_spark.py::OtherTests::test_get_col_info",
            ], exit: .exited(1), wallMs: 0, report: report)
        XCTAssertEqual(
            statuses(results),
            [
                "test/test_spark.py::SparkTests::test_rsh_events": .failed, "test/test_spark.py::SparkTests::test_get_col_info": .passed,
                "test/test_spark.py::OtherTests::test_get_col_info": .errored,
            ])
        let file = UnitResults.map(units: ["test/test_spark.py"], exit: .exited(1), wallMs: 0, report: report)
        XCTAssertEqual(file[0].status, .failed)
        XCTAssertEqual(file[0].durationMs, 21_908, "the sum of the file's case durations")
    }

    /// Playwright: files relative to its testDir meet units relative to the repository; a flaky
    /// test counts as passed; a file whose only other test is skipped still passed.
    func testPlaywrightFiles() throws {
        let results = UnitResults.map(
            units: ["tests/functional/add.spec.ts", "tests/functional/multiply.spec.ts", "tests/functional/divide.spec.ts"],
            exit: .exited(1), wallMs: 0, report: try reading("playwright-json/daun__playwright-report-summary/report-valid.json"))
        XCTAssertEqual(
            statuses(results),
            [
                "tests/functional/add.spec.ts": .failed, "tests/functional/multiply.spec.ts": .passed,
                "tests/functional/divide.spec.ts": .passed,
            ])
        XCTAssertTrue(results[0].error?.hasPrefix("add › adds: Error: expect(received)") == true, results[0].error ?? "nil")
    }

    /// `file:line`: a location owns the tests from its line to the next location of the file.
    func testPlaywrightLocations() throws {
        let results = UnitResults.map(
            units: ["tests/multiply.spec.ts:6", "tests/multiply.spec.ts:12", "tests/add.spec.ts:9", "tests/add.spec.ts:99"],
            exit: .exited(1), wallMs: 0, report: try reading("playwright-json/daun__playwright-report-summary/report-valid.json"))
        XCTAssertEqual(
            statuses(results),
            [
                "tests/multiply.spec.ts:6": .passed, "tests/multiply.spec.ts:12": .skipped, "tests/add.spec.ts:9": .failed,
                "tests/add.spec.ts:99": .errored,
            ])
    }

    /// Jest's absolute paths, Unix and Windows, end with the units' relative ones.
    func testJestAbsolutePaths() throws {
        let results = UnitResults.map(
            units: ["src/app/services/provider.service.spec.ts", "src/app/components/settings/settings.component.render.spec.ts"],
            exit: .exited(1), wallMs: 0, report: try reading("jest-json/MarkusSprunck__ethereum-event-scan/jest-results-continue.json"))
        XCTAssertEqual(
            statuses(results),
            [
                "src/app/services/provider.service.spec.ts": .passed,
                "src/app/components/settings/settings.component.render.spec.ts": .failed,
            ])
        let windows = UnitResults.map(
            units: ["__tests__/utils/Logger.test.ts"], exit: .exited(0), wallMs: 0,
            report: try reading("jest-json/dkelosky__jest-stare/assertionRestultsTests.json"))
        XCTAssertEqual(windows[0].status, .passed)
    }

    /// A file that did not compile has no tests: with a failing exit it is errored.
    func testJestFilesThatFailedToLoad() throws {
        let results = UnitResults.map(
            units: ["spec/test.spec.ts"], exit: .exited(1), wallMs: 500,
            report: try reading("jest-json/jest-community__jest-junit/failing-compilation.json"))
        XCTAssertEqual(results, [UnitResult(unit: "spec/test.spec.ts", status: .errored, durationMs: 500, error: results[0].error)])
    }

    /// Go packages, relative or as import paths, from gotestsum's JUnit (suite and classname
    /// are the import path; a package whose main failed has its only case named TestMain).
    func testGoPackages() throws {
        let results = UnitResults.map(
            units: [
                "./testjson/internal/good", "gotest.tools/gotestsum/testjson/internal/withfails", "./testjson/internal/badmain",
                "./testjson/internal/empty",
            ], exit: .exited(1), wallMs: 0, report: try reading("junit/gotestyourself__gotestsum/junitxml-report.golden.xml"))
        XCTAssertEqual(
            statuses(results),
            [
                "./testjson/internal/good": .passed, "gotest.tools/gotestsum/testjson/internal/withfails": .failed,
                "./testjson/internal/badmain": .failed, "./testjson/internal/empty": .errored,
            ])
    }

    /// A directory unit takes the files below it, but a file unit beats it for its own cases.
    func testDirectoriesAndMoreSpecificUnits() {
        let cases = [
            ParsedCase(suitePath: [], file: "/ci/repo/tests/api/test_a.py", title: "a", status: .failed, rawStatus: "failed"),
            ParsedCase(suitePath: [], file: "/ci/repo/tests/api/test_b.py", title: "b", status: .passed, rawStatus: "passed"),
        ]
        let results = UnitResults.map(
            units: ["tests/api", "tests/api/test_a.py"], exit: .exited(1), wallMs: 0, report: .parsed(cases: cases, runErrors: []))
        XCTAssertEqual(statuses(results), ["tests/api": .passed, "tests/api/test_a.py": .failed])
    }

    /// Two units the report cannot tell apart (only a base name) both take the case.
    func testAmbiguousCasesGoToEveryCandidate() {
        let cases = [ParsedCase(suitePath: [], file: "login.spec.ts", title: "t", status: .failed, rawStatus: "unexpected")]
        let results = UnitResults.map(
            units: ["a/login.spec.ts", "b/login.spec.ts", "c/other.spec.ts"], exit: .exited(1), wallMs: 0,
            report: .parsed(cases: cases, runErrors: []))
        XCTAssertEqual(statuses(results), ["a/login.spec.ts": .failed, "b/login.spec.ts": .failed, "c/other.spec.ts": .errored])
    }

    func testWithoutAUsableReportTheExitStatusDecides() {
        let units = ["a", "b", "c"]
        XCTAssertEqual(
            UnitResults.map(units: units, exit: .exited(0), wallMs: 3000, report: .notRequested),
            units.map { UnitResult(unit: $0, status: .passed, durationMs: 1000) })
        XCTAssertEqual(UnitResults.map(units: units, exit: .exited(2), wallMs: 0, report: .notRequested)[0].status, .failed)
        XCTAssertEqual(UnitResults.map(units: units, exit: .signaled(9), wallMs: 0, report: .notRequested)[0].status, .errored)
        let missing = UnitResults.map(units: units, exit: .exited(0), wallMs: 0, report: .missing(path: "out.xml"))
        XCTAssertEqual(
            missing[0],
            UnitResult(unit: "a", status: .errored, durationMs: 0, error: "no report at out.xml; the command ended with exit status 0"))
        let broken = UnitResults.map(
            units: units, exit: .exited(1), wallMs: 0, report: .unreadable(path: "r.json", reason: "parse_error: x"))
        XCTAssertEqual(broken[2].status, .errored)
    }

    func testUnitsWithoutTestsAfterASuccessfulCommandAreSkippedAndARunErrorIsBlamed() {
        let clean = UnitResults.map(units: ["empty.spec.ts"], exit: .exited(0), wallMs: 0, report: .parsed(cases: [], runErrors: []))
        XCTAssertEqual(clean[0].status, .skipped)
        let setupFailed = UnitResults.map(
            units: ["a.spec.ts"], exit: .exited(0), wallMs: 0,
            report: .parsed(cases: [], runErrors: [ParsedError(message: "globalSetup threw")]))
        XCTAssertEqual(setupFailed[0].status, .errored)
        XCTAssertTrue(setupFailed[0].error?.hasSuffix(": globalSetup threw") == true)
    }

    func testLongErrorsAreClipped() {
        let cases = [
            ParsedCase(
                suitePath: [], file: "a.py", title: "t", status: .failed, rawStatus: "failed",
                attempts: [ParsedAttempt(index: 0, status: .failed, errors: [ParsedError(message: String(repeating: "x", count: 5000))])])
        ]
        let result = UnitResults.map(units: ["a.py"], exit: .exited(1), wallMs: 0, report: .parsed(cases: cases, runErrors: []))[0]
        XCTAssertEqual(result.error?.count, UnitResults.maximumErrorLength)
    }

    func testUnitKeys() {
        XCTAssertEqual(UnitKey("./pkg/...").components, ["pkg"])
        XCTAssertEqual(UnitKey("tests/a.spec.ts:12").kind, .location(line: 12))
        XCTAssertEqual(UnitKey("tests/a.py::C::t[x]").kind, .node(names: ["C", "t[x]"]))
        XCTAssertEqual(UnitKey("C:\\repo\\a.ts").components, ["C:", "repo", "a.ts"])
        XCTAssertEqual(UnitKey("tests/test_lib.py").moduleComponents, ["tests", "test_lib"])
    }
}
