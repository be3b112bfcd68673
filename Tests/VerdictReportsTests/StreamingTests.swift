import Foundation
import VerdictJSON
import VerdictReports
import VerdictTestSupport
import XCTest

/// The streaming API: what a sink sees, when, and that it agrees with the whole-report API.
final class StreamingTests: XCTestCase {
    /// Records the order of calls, and fails on the case numbered `failAt` when set.
    struct RecordingSink: ReportSink {
        var failAt: Int?
        var cases: [ParsedCase] = []
        var suites: [ParsedSuite] = []
        /// Every case pointed at a suite already announced.
        var suiteKnownBeforeCase = true

        mutating func suiteStarted(_ suite: ParsedSuite, index: Int) throws(ReportSinkError) {
            XCTAssertEqual(index, suites.count, "suites are announced once each, in slot order")
            suites.append(suite)
        }

        mutating func accept(_ testCase: ParsedCase) throws(ReportSinkError) {
            if let index = testCase.suiteIndex, index >= suites.count { suiteKnownBeforeCase = false }
            if cases.count == failAt { throw ReportSinkError("database went away") }
            cases.append(testCase)
        }
    }

    private let junit = """
        <testsuites>
          <testsuite name="outer">
            <testcase name="a" classname="C"/>
            <testsuite name="inner">
              <testcase name="b" classname="C"><failure message="no"/></testcase>
            </testsuite>
            <testcase name="c" classname="C"/>
            <system-out>[[ATTACHMENT|/tmp/outer.log]]</system-out>
          </testsuite>
          <testcase name="loose"/>
        </testsuites>
        """

    func testSinkErrorAbortsTheParse() {
        let playwright = """
            {"config": {}, "suites": [{"title": "a.spec.ts", "specs": [
              {"title": "one", "tests": [{"status": "expected", "results": [{"status": "passed"}]}]},
              {"title": "two", "tests": [{"status": "expected", "results": [{"status": "passed"}]}]},
              {"title": "three", "tests": [{"status": "expected", "results": [{"status": "passed"}]}]}]}]}
            """
        for text in [junit, playwright] {
            var sink = RecordingSink(failAt: 1)
            do {
                let summary = try ReportParser.parse(Array(text.utf8), into: &sink)
                XCTFail("the sink's error was swallowed: \(summary.totals)")
            } catch {
                guard case .sink(let sinkError) = error else { return XCTFail("expected a sink error, got \(error)") }
                XCTAssertEqual(sinkError.message, "database went away")
            }
            XCTAssertEqual(sink.cases.count, 1, "no case after the failing one")
        }
    }

    func testJUnitSuiteIndexIsTheInnermostOpenSuite() throws {
        var sink = RecordingSink()
        let summary = try ReportParser.parse(Array(junit.utf8), into: &sink)
        XCTAssertEqual(summary.suites.map(\.name), ["outer", "inner"])
        XCTAssertEqual(sink.cases.map(\.title), ["a", "b", "c", "loose"])
        XCTAssertEqual(sink.cases.map(\.suiteIndex), [0, 1, 0, nil])
        XCTAssertEqual(summary.totals, ReportTotals(tests: 4, passed: 3, failed: 1))
        // A suite is announced as known so far (here the whole document fits one chunk, so its
        // output may already be there); the summary has it complete.
        XCTAssertEqual(sink.suites.map(\.name), ["outer", "inner"])
        XCTAssertEqual(summary.suites[0].attachments.map(\.path), ["/tmp/outer.log"])
        XCTAssertTrue(sink.suiteKnownBeforeCase)
    }

    func testPlaywrightSuiteIndexIsTheDescribe() throws {
        let text = """
            {"config": {}, "suites": [{"title": "a.spec.ts", "file": "a.spec.ts",
              "specs": [{"title": "top", "tests": [{"status": "expected", "results": [{"status": "passed"}]}]}],
              "suites": [{"title": "group", "specs": [
                {"title": "inner", "tests": [{"status": "unexpected", "results": [{"status": "failed"}]}]}]}]}]}
            """
        var sink = RecordingSink()
        let summary = try ReportParser.parse(Array(text.utf8), into: &sink)
        XCTAssertEqual(summary.suites.map(\.path), [["a.spec.ts"], ["a.spec.ts", "group"]])
        XCTAssertEqual(sink.cases.map(\.suiteIndex), [0, 1])
        XCTAssertEqual(summary.totals, ReportTotals(tests: 2, passed: 1, failed: 1))
    }

    func testCTRFSuitesAreDerivedFromThePaths() throws {
        let text = """
            {"results": {"tool": {"name": "vitest"}, "tests": [
              {"name": "a", "status": "passed", "suite": ["api", "users"]},
              {"name": "b", "status": "failed", "suite": ["api"]},
              {"name": "c", "status": "passed"}]}}
            """
        var sink = RecordingSink()
        let summary = try ReportParser.parse(Array(text.utf8), into: &sink)
        XCTAssertEqual(summary.suites.map(\.path), [["api"], ["api", "users"]])
        XCTAssertEqual(sink.cases.map(\.suiteIndex), [1, 0, nil])
    }

    /// Every corpus file: the stream agrees with the whole report, a file with its bytes, and
    /// every case points at the suite that holds it.
    func testCorpusStreamsAgreeWithTheReportAndTheFile() throws {
        let corpus = try Corpus.load()
        var checked = 0
        for path in corpus.files() {
            let bytes = try corpus.bytes(path)
            let filePath = corpus.root.appendingPathComponent(path).path
            var fromBytes = RecordingSink()
            var fromFile = RecordingSink()
            let bytesResult = Result { () throws(ReportStreamError) -> ReportSummary in try ReportParser.parse(bytes, into: &fromBytes) }
            let fileResult = Result { () throws(ReportStreamError) -> ReportSummary in
                try ReportParser.parse(file: filePath, into: &fromFile)
            }
            switch (bytesResult, fileResult) {
            case (.success(let summary), .success(let fileSummary)):
                XCTAssertEqual(fileSummary, summary, "\(path): file and bytes summaries")
                XCTAssertEqual(fromFile.cases, fromBytes.cases, "\(path): file and bytes cases")
                let report = try ReportParser.parse(bytes)
                XCTAssertEqual(summary.totals, report.totals, "\(path): streamed totals")
                XCTAssertEqual(ParsedReport(summary, cases: fromBytes.cases), report, "\(path): stream and report")
                XCTAssertTrue(fromBytes.suiteKnownBeforeCase, "\(path): a case came before its suite")
                XCTAssertEqual(fromBytes.suites.count, summary.suites.count, "\(path): every suite announced")
                checkSuiteIndexes(path, summary: summary, cases: fromBytes.cases)
            case (.failure(let error), .failure(let fileError)):
                XCTAssertEqual(fileError.description, error.description, "\(path): file and bytes errors")
                XCTAssertThrowsError(try ReportParser.parse(bytes), "\(path): the report API fails too")
            default:
                XCTFail("\(path): bytes gave \(bytesResult), the file \(fileResult)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100)
    }

    private func checkSuiteIndexes(_ path: String, summary: ReportSummary, cases: [ParsedCase]) {
        for testCase in cases {
            guard let index = testCase.suiteIndex else {
                // Only JUnit cases outside any suite and mochawesome root-suite tests.
                XCTAssertTrue(
                    [.junit, .mochawesome, .ctrf].contains(summary.format), "\(path): '\(testCase.title)' has no suite")
                continue
            }
            guard summary.suites.indices.contains(index) else {
                XCTFail("\(path): '\(testCase.title)' points at suite \(index) of \(summary.suites.count)")
                continue
            }
            let suite = summary.suites[index]
            switch summary.format {
            case .junit:
                XCTAssertEqual(Array(testCase.suitePath.prefix(suite.path.count)), suite.path, "\(path): \(testCase.title)")
            case .playwright:
                XCTAssertEqual(Array(suite.path.dropFirst()), testCase.suitePath, "\(path): \(testCase.title)")
                XCTAssertEqual(suite.file, summary.suites[index].path.first, path)
            case .jest:
                XCTAssertEqual(suite.file, testCase.file, "\(path): \(testCase.title)")
            case .mochawesome, .ctrf:
                XCTAssertEqual(suite.path, testCase.suitePath, "\(path): \(testCase.title)")
            }
        }
    }

    // MARK: - Files

    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// The DTD gate reads the prolog in chunks; a prolog longer than the first one must neither
    /// be misread nor let an internal subset through.
    func testLongPrologInAFile() throws {
        let comment = "<!--" + String(repeating: "padding ", count: 40_000) + "-->\n"
        let good = try temporaryFile(Array((comment + "<testsuite name=\"s\"><testcase name=\"t\"/></testsuite>").utf8))
        var sink = RecordingSink()
        XCTAssertEqual(try ReportParser.parse(file: good, into: &sink).totals.tests, 1)

        let hostile = comment + "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><testsuite><testcase name=\"&e;\"/></testsuite>"
        let hostilePath = try temporaryFile(Array(hostile.utf8))
        var ignored = RecordingSink()
        do {
            _ = try ReportParser.parse(file: hostilePath, into: &ignored)
            XCTFail("an entity declaration got through")
        } catch {
            guard case .parse(let parseError) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(parseError.message.contains("entity 'e'"), parseError.message)
            XCTAssertEqual(parseError.line, 2)
        }
        XCTAssertTrue(ignored.cases.isEmpty)
    }

    /// JSON values are framed 16 bytes at a time: quotes, backslashes and brackets inside
    /// strings, at every offset in a block, in memory and across the refills of a file's window.
    func testJSONFramingFindsStringEndsAndBracketsAtEveryOffset() throws {
        var specs: [String] = []
        var expected: [String] = []
        for round in 0..<200 {
            for k in 0..<40 {
                let pad = String(repeating: "a", count: k)
                specs.append(
                    #"{"title": "\#(pad)\"{[}]\\\"x\#(round)", "extra": {"list": [[], {"k": "]}\\"}], "n": null}, "#
                        + #""tests": [{"status": "expected", "results": [{"status": "passed", "duration": 1}]}]}"#)
                expected.append(pad + #""{[}]\"x"# + "\(round)")
            }
        }
        let json =
            #"{"config": {}, "suites": [{"title": "f.spec.ts", "file": "f.spec.ts", "specs": ["# + specs.joined(separator: ",\n") + "]}]}"
        let bytes = Array(json.utf8)
        XCTAssertGreaterThan(bytes.count, 1_000_000, "several windows' worth")
        XCTAssertEqual(try ReportParser.parse(bytes).cases.map(\.title), expected)
        var sink = RecordingSink()
        _ = try ReportParser.parse(file: try temporaryFile(bytes), into: &sink)
        XCTAssertEqual(sink.cases.map(\.title), expected)

        for damage in [#""unterminated \""#, #"{"a": [1, 2}"#] {
            let broken = Array((#"{"config": {}, "suites": [{"title": "f", "specs": [], "x": "# + damage + "}]}").utf8)
            XCTAssertEqual(parseError(broken)?.code, .parseError, damage)
        }
    }

    func testMalformedJSONFarIntoAFileHasTheSamePositionAsInMemory() throws {
        var head = "{\"config\": {}, \"suites\": [\n"
        for i in 0..<3000 {
            head += "  {\"title\": \"f\(i).spec.ts\", \"specs\": [{\"title\": \"t\", \"tests\": [{\"status\": \"expected\"}]}]},\n"
        }
        // Brackets that do not match are found by the first pass, before any case is streamed;
        // damage inside balanced brackets by the second, after the cases before it.
        for (damage, streamed) in [("[}", 0), ("[1,,2]", 3000)] {
            let bytes = Array((head + "  {\"title\": \"broken\", \"specs\": \(damage)}\n]}").utf8)
            let inMemory = parseError(bytes)
            XCTAssertEqual(inMemory?.line, 3002, damage)
            XCTAssertEqual(inMemory?.code, .parseError, damage)
            let brokenPath = try temporaryFile(bytes)
            var sink = RecordingSink()
            do {
                _ = try ReportParser.parse(file: brokenPath, into: &sink)
                XCTFail("parsed malformed JSON")
            } catch {
                guard case .parse(let parseError) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(parseError, inMemory, damage)
            }
            XCTAssertEqual(sink.cases.count, streamed, damage)
        }
    }

    func testMissingFileIsUnreadableNotAParseError() {
        var sink = RecordingSink()
        do {
            _ = try ReportParser.parse(file: "/nonexistent/verdict-report.xml", into: &sink)
            XCTFail("parsed a missing file")
        } catch {
            guard case .unreadable(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/verdict-report.xml")
        }
    }
}
