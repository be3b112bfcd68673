import VerdictJSON
import VerdictReports
import VerdictTestSupport
import XCTest

/// Every corpus file must parse to the totals in expected.json, or fail with the right code.
final class CorpusTests: XCTestCase {
    func testEveryCorpusFileMatchesExpectedTotals() throws {
        let corpus = try Corpus.load()
        let files = corpus.files()
        XCTAssertGreaterThan(files.count, 100, "corpus at \(corpus.root.path) looks incomplete")
        var matched = 0
        for path in files {
            let failuresBefore = testRun?.failureCount ?? 0
            guard let expected = corpus.expected[path] else {
                XCTFail("\(path): not listed in expected.json")
                continue
            }
            guard let format = Corpus.format(of: path) else {
                XCTFail("\(path): unknown corpus directory")
                continue
            }
            check(path, bytes: try corpus.bytes(path), format: format, expected: expected)
            if (testRun?.failureCount ?? 0) == failuresBefore { matched += 1 }
        }
        print("corpus: \(matched)/\(files.count) files match expected.json")
        XCTAssertEqual(matched, files.count)
        XCTAssertEqual(Set(files), Set(corpus.expected.keys), "expected.json and the corpus list different files")
    }

    private func check(_ path: String, bytes: [UInt8], format: ReportFormat, expected: JSON) {
        if let reason = expected["parse_error"]?.stringValue {
            // junitparser calls valid XML with a foreign root a parse error; for Verdict that is
            // well-formed input of the wrong kind.
            let wellFormed = reason.hasPrefix("JUnitXmlError") || reason.hasPrefix("root element")
            expectError(path, bytes, format: format, code: wellFormed ? .notAReport : .parseError, needsPosition: !wellFormed)
            return
        }
        if expected["not_a_report"] != nil {
            expectError(path, bytes, format: format, code: .notAReport, needsPosition: false)
            return
        }
        XCTAssertEqual(try? ReportFormat.detect(bytes), format, "\(path): detected format")
        let report: ParsedReport
        do {
            report = try ReportParser.parse(bytes)
        } catch {
            XCTFail("\(path): \(error)")
            return
        }
        XCTAssertEqual(report.format, format, path)
        var wanted = expectedTotals(format, expected)
        if format == .junit || format == .jest {
            // expected.json has no flaky count for these; see `checkExtras`.
            wanted.flaky = report.totals.flaky
        }
        XCTAssertEqual(report.totals, wanted, "\(path): totals")
        checkExtras(path, format: format, report: report, expected: expected)
        // An explicit format must give the same result as detection.
        XCTAssertEqual(try? ReportParser.parse(bytes, format: format), report, "\(path): explicit format")
    }

    /// expected.json keeps each tool's own categories; folded here into Verdict's.
    private func expectedTotals(_ format: ReportFormat, _ e: JSON) -> ReportTotals {
        switch format {
        case .junit:
            return ReportTotals(
                tests: e.count("tests"), passed: e.count("passed"), failed: e.count("failed"),
                skipped: e.count("skipped"), errors: e.count("errors"))
        case .playwright:
            return ReportTotals(
                tests: e.count("tests"), passed: e.count("passed") + e.count("flaky"), failed: e.count("failed"),
                skipped: e.count("skipped"), flaky: e.count("flaky"))
        case .ctrf:
            return ReportTotals(
                tests: e.count("tests"), passed: e.count("passed"), failed: e.count("failed"),
                skipped: e.count("skipped") + e.count("pending") + e.count("other"), flaky: e.count("flaky"))
        case .mochawesome:
            return ReportTotals(
                tests: e.count("tests"), passed: e.count("passed"), failed: e.count("failed"),
                skipped: e.count("skipped") + e.count("pending"))
        case .jest:
            return ReportTotals(
                tests: e.count("tests"), passed: e.count("passed"), failed: e.count("failed"),
                skipped: e.count("skipped") + e.count("pending") + e.count("todo") + e.count("other"))
        }
    }

    private func checkExtras(_ path: String, format: ReportFormat, report: ParsedReport, expected: JSON) {
        switch format {
        case .junit:
            let earlierRuns = report.cases.reduce(0) { $0 + $1.attempts.count - 1 }
            XCTAssertEqual(earlierRuns, expected.count("flaky_elements") + expected.count("rerun_elements"), "\(path): earlier runs")
            if expected.count("flaky_elements") == 0 {
                XCTAssertFalse(report.cases.contains { $0.status == .flaky }, "\(path): no flaky elements, no flaky cases")
            }
        case .playwright:
            XCTAssertEqual(report.cases.reduce(0) { $0 + $1.attempts.count }, expected.count("attempts"), "\(path): attempts")
        case .mochawesome:
            let hookFailures = report.runErrors.count + report.suites.reduce(0) { $0 + $1.errors.count }
            XCTAssertEqual(hookFailures, expected.count("hooks_failed"), "\(path): failed hooks")
        case .jest:
            XCTAssertEqual(
                report.suites.filter { !$0.errors.isEmpty }.count, expected.count("suites_failed_to_run"),
                "\(path): suites that failed to run")
            XCTAssertEqual(report.suites.count, expected.count("suites"), "\(path): suites")
        case .ctrf:
            break
        }
        XCTAssertTrue(report.cases.allSatisfy { !$0.attempts.isEmpty }, "\(path): every case has an attempt")
    }

    private func expectError(_ path: String, _ bytes: [UInt8], format: ReportFormat, code: ReportParseError.Code, needsPosition: Bool) {
        for override in [nil, format] {
            do {
                let report = try ReportParser.parse(bytes, format: override)
                XCTFail("\(path): expected \(code.rawValue), parsed \(report.totals)")
            } catch {
                XCTAssertEqual(error.code, code, "\(path) (format \(override?.rawValue ?? "auto")): \(error)")
                XCTAssertFalse(error.message.isEmpty, path)
                if needsPosition, format == .junit {
                    XCTAssertNotNil(error.line, "\(path): XML errors carry a line: \(error)")
                    XCTAssertNotNil(error.column, "\(path): XML errors carry a column: \(error)")
                }
            }
        }
    }
}
