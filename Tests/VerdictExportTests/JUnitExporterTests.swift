import VerdictExport
import VerdictJSON
import VerdictReports
import Foundation
import VerdictTestSupport
import XCTest

final class JUnitExporterTests: XCTestCase {
    private func export(_ cases: [ParsedCase], suite: ParsedSuite = ParsedSuite(name: "suite", path: ["suite"])) throws -> String {
        let bytes = try collect { sink in
            let exporter = try JUnitExporter(sink: sink)
            try exporter.begin(name: "run", totals: ReportTotals(cases), durationMs: 1500, timestamp: "2024-05-01T12:00:00Z")
            try exporter.writeSuite(suite, cases: cases)
            try exporter.finish()
        }.bytes
        return String(decoding: bytes, as: UTF8.self)
    }

    private func reparse(_ xml: String) throws -> ParsedReport {
        try ReportParser.parse(Array(xml.utf8), format: .junit)
    }

    private func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    func testFlakyCaseIsWrittenAsSurefireFlakyElementsAndReadBackFromThemAlone() throws {
        let flaky = ParsedCase(
            suitePath: ["suite", "com.example.LoginTest"], title: "logs in", classname: "com.example.LoginTest", status: .flaky,
            rawStatus: "flaky", durationMs: 300,
            attempts: [
                ParsedAttempt(
                    index: 0, status: .failed, durationMs: 120,
                    errors: [ParsedError(message: "timeout", type: "java.lang.AssertionError", stack: "at Login.java:12")],
                    stdout: "first try"),
                ParsedAttempt(index: 1, status: .errored, durationMs: 130, errors: [ParsedError(message: "boom", stack: "at Db.java:3")]),
                ParsedAttempt(index: 2, status: .passed, durationMs: 300, stdout: "ok"),
            ])
        let xml = try export([flaky])
        XCTAssertEqual(count("<flakyFailure", in: xml), 1, xml)
        XCTAssertEqual(count("<flakyError", in: xml), 1, xml)
        XCTAssertEqual(count("<stackTrace>", in: xml), 2, xml)
        XCTAssertFalse(xml.contains("<failure"), xml)
        XCTAssertTrue(xml.contains(#"<flakyFailure message="timeout" type="java.lang.AssertionError" time="0.120">"#), xml)
        // Surefire's own elements carry this case: no verdict.attempts needed.
        XCTAssertFalse(xml.contains("verdict.attempts"), xml)

        let copy = try XCTUnwrap(try reparse(xml).cases.first)
        XCTAssertEqual(copy.status, .flaky)
        XCTAssertEqual(copy.attempts.map(\.status), [.failed, .errored, .passed])
        XCTAssertEqual(copy.attempts.map(\.stdout), ["first try", nil, "ok"])
        XCTAssertEqual(JUnitRoundTripTests.differences(flaky, copy), [])
    }

    func testFailedCaseKeepsItsFirstRunAsFailureAndFurtherRunsAsReruns() throws {
        let failed = ParsedCase(
            suitePath: ["suite"], title: "checkout", status: .failed, rawStatus: "failure", durationMs: 50,
            attempts: (0..<3).map { ParsedAttempt(index: $0, status: .failed, durationMs: 50, errors: [ParsedError(message: "try \($0)")]) }
        )
        let xml = try export([failed])
        XCTAssertEqual(count("<failure", in: xml), 1, xml)
        XCTAssertEqual(count("<rerunFailure", in: xml), 2, xml)
        XCTAssertTrue(xml.contains(#"<failure message="try 0"/>"#), xml)
        let copy = try XCTUnwrap(try reparse(xml).cases.first)
        XCTAssertEqual(copy.status, .failed)
        XCTAssertEqual(copy.attempts.map { $0.error?.message }, ["try 0", "try 1", "try 2"])
    }

    /// Shapes Surefire has no word for: the verdict.* properties must carry them.
    func testUnusualCasesRoundTripThroughVerdictProperties() throws {
        let cases = [
            // Playwright: the case lasts as long as all its runs; runs have start times.
            ParsedCase(
                suitePath: ["describe"], file: "tests/a.spec.ts", line: 7, title: "retried", fullTitle: "describe › retried",
                project: "chromium", status: .failed, rawStatus: "unexpected", durationMs: 30,
                attempts: [
                    ParsedAttempt(index: 0, status: .failed, durationMs: 10, errors: [ParsedError(message: "a"), ParsedError(stack: "b")]),
                    ParsedAttempt(index: 1, status: .failed, durationMs: 20, errors: [], stdout: "  ", startedAtMs: 1_700_000_000_123),
                ],
                attachments: [ParsedAttachment(name: "screenshot", contentType: "image/png", path: "/tmp/s.png", attempt: 1)],
                tags: ["@slow"], annotations: [ParsedAnnotation(type: "issue", description: "#12")]),
            // An error with no text, a skip with a blank reason, a passed run before a final failure.
            ParsedCase(suitePath: [], title: "crashed", status: .errored, rawStatus: "", durationMs: 1.25),
            ParsedCase(suitePath: ["suite"], title: "skipped", status: .skipped, rawStatus: "pending", skipReason: " "),
            ParsedCase(
                suitePath: ["x", "y", "z"], title: "late failure", status: .failed, rawStatus: "failed",
                attempts: [
                    ParsedAttempt(index: 0, status: .passed, durationMs: 3, stdout: "fine"),
                    ParsedAttempt(index: 2, status: .failed, durationMs: 4, errors: [ParsedError(message: "late")]),
                ]),
            ParsedCase(
                suitePath: ["suite"], title: "skipped after a failure", status: .skipped, rawStatus: "skipped",
                attempts: [
                    ParsedAttempt(index: 0, status: .failed, errors: [ParsedError(message: "m", type: "T", stack: "s")]),
                    ParsedAttempt(index: 1, status: .skipped, errors: [ParsedError(message: "skipped with an error")]),
                ], skipReason: "flaky infra"),
        ]
        let xml = try export(cases)
        let copy = try reparse(xml)
        XCTAssertEqual(copy.cases.count, cases.count)
        for (a, b) in zip(cases, copy.cases) {
            XCTAssertEqual(JUnitRoundTripTests.differences(a, b), [], a.title)
        }
    }

    func testCharactersIllegalInXMLAreReplacedAndRestoredFromProperties() throws {
        let nasty = "a\u{0}b\u{1B}[31mred\u{7}\u{FFFE}\u{FFFF}\u{B}\u{C}"
        let original = ParsedCase(
            suitePath: ["suite\u{1}"], title: "title \u{8}", classname: "Class\u{2}", status: .failed, rawStatus: "fail\u{3}",
            attempts: [
                ParsedAttempt(
                    index: 0, status: .failed, errors: [ParsedError(message: nasty, type: "T\u{1F}", stack: nasty)], stdout: nasty,
                    stderr: "tab\tcr\rlf\n ok")
            ], properties: [ParsedProperty("p", "v")])
        let xml = try export([original], suite: ParsedSuite(name: "suite\u{1}", path: ["suite\u{1}"], systemOut: nasty))
        let illegal = xml.unicodeScalars.filter { ($0.value < 0x20 && ![0x9, 0xA, 0xD].contains($0.value)) || $0.value >= 0xFFFE }
        XCTAssertEqual(Array(illegal), [], "the document must be XML 1.0")
        XCTAssertFalse(xml.contains("&#0;") || xml.contains("&#1;"), "character references to illegal characters are illegal too")
        try assertWellFormed(Array(xml.utf8))
        let copy = try XCTUnwrap(try reparse(xml).cases.first)
        XCTAssertEqual(JUnitRoundTripTests.differences(original, copy), [])
        XCTAssertEqual(copy.attempts[0].stderr, "tab\tcr\rlf\n ok", "CR, LF and tab survive as they are")
    }

    func testEmptyReportIsAWellFormedDocumentWithNoCases() throws {
        let bytes = try junitExport(ParsedReport(format: .junit))
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#), text)
        XCTAssertTrue(text.contains(#"tests="0" failures="0" errors="0" skipped="0""#), text)
        try assertWellFormed(bytes)
        let copy = try ReportParser.parse(bytes)
        XCTAssertEqual(copy.cases, [])
        XCTAssertEqual(copy.totals, ReportTotals())
    }

    func testSuiteCountersAndTimesComeFromTheCases() throws {
        let cases = [
            ParsedCase(suitePath: ["suite"], title: "a", status: .passed, rawStatus: "passed", durationMs: 1234.5678),
            ParsedCase(suitePath: ["suite"], title: "b", status: .failed, rawStatus: "failure", durationMs: 0.4),
            ParsedCase(suitePath: ["suite"], title: "c", status: .errored, rawStatus: "error"),
            ParsedCase(suitePath: ["suite"], title: "d", status: .skipped, rawStatus: "skipped", skipReason: "later"),
        ]
        let xml = try export(cases, suite: ParsedSuite(name: "suite", path: ["suite"], durationMs: 2000, hostname: "ci-7"))
        XCTAssertTrue(
            xml.contains(#"<testsuite name="suite" tests="4" failures="1" errors="1" skipped="1" time="2.000" hostname="ci-7">"#), xml)
        XCTAssertTrue(xml.contains(#"<testcase name="a" time="1.235">"#), xml)
        XCTAssertTrue(xml.contains(#"time="0.000""#), xml)
        XCTAssertTrue(xml.contains(#"<skipped message="later"/>"#), xml)
    }

    func testStatusAttributeIsWrittenOnlyWhenTheElementsDoNotImplyTheRawStatus() throws {
        let failure = [ParsedAttempt(index: 0, status: .failed, errors: [ParsedError(message: "no")])]
        // Full titles equal to the titles, so that no case needs properties.
        let cases = [
            ParsedCase(suitePath: ["suite"], title: "plain", fullTitle: "plain", status: .passed, rawStatus: "passed"),
            ParsedCase(suitePath: ["suite"], title: "expected", fullTitle: "expected", status: .passed, rawStatus: "expected"),
            ParsedCase(
                suitePath: ["suite"], title: "failed", fullTitle: "failed", status: .failed, rawStatus: "failure", attempts: failure),
            ParsedCase(
                suitePath: ["suite"], title: "failed as passed", fullTitle: "failed as passed", status: .failed, rawStatus: "passed",
                attempts: failure),
            ParsedCase(
                suitePath: ["suite"], title: "skipped", fullTitle: "skipped", status: .skipped, rawStatus: "skipped", skipReason: "later"),
        ]
        let xml = try export(cases)
        XCTAssertTrue(xml.contains(#"<testcase name="plain"/>"#), xml)
        XCTAssertTrue(xml.contains(#"<testcase name="expected" status="expected"/>"#), xml)
        XCTAssertTrue(xml.contains(#"<testcase name="failed">"#), xml)
        XCTAssertTrue(xml.contains(#"<testcase name="failed as passed" status="passed">"#), xml)
        XCTAssertTrue(xml.contains(#"<testcase name="skipped">"#), xml)
        let copies = try reparse(xml).cases
        XCTAssertEqual(copies.map(\.rawStatus), cases.map(\.rawStatus))
        for (original, copy) in zip(cases, copies) { XCTAssertEqual(JUnitRoundTripTests.differences(original, copy), []) }
    }

    /// Stored runs come back mostly as plain cases, written without building them in full; the
    /// document must be the one the full cases give, names that need properties included.
    func testPlainCasesAreWrittenAsTheirFullCasesWouldBe() throws {
        let plain = [
            PlainCase(suitePath: ["suite", "com.example.A"], title: "ok", classname: "com.example.A", rawStatus: "passed", durationMs: 12),
            PlainCase(
                suitePath: ["suite", "com.example.A"], file: "src/A.java", line: 7, title: "with file", classname: "com.example.A",
                rawStatus: "expected", durationMs: 1.5),
            PlainCase(suitePath: ["suite"], title: "same", classname: "same", rawStatus: "passed"),
            PlainCase(suitePath: ["suite"], title: "no classname", rawStatus: "passed", durationMs: 0),
            PlainCase(suitePath: ["elsewhere", "deeper"], title: "moved", classname: "C", rawStatus: "passed", durationMs: 3),
            PlainCase(
                suitePath: ["suite", "C\u{1}"], title: "bad \u{2} title", classname: "C\u{1}", rawStatus: "pass\u{3}", durationMs: 4),
            PlainCase(suitePath: ["suite", "C"], file: "a\u{FFFE}.swift", title: "file", classname: "C", rawStatus: "", durationMs: 5),
            PlainCase(suitePath: ["suite", "C"], title: "nan", classname: "C", rawStatus: "passed", durationMs: .nan),
        ]
        let suite = ParsedSuite(name: "suite", path: ["suite"], file: "suite.java", durationMs: 30)
        func document(_ write: (JUnitExporter) throws(ExportError) -> Void) throws -> [UInt8] {
            try collect { sink in
                let exporter = try JUnitExporter(sink: sink)
                try exporter.begin(name: "run", totals: ReportTotals(plain.map(ParsedCase.init)), durationMs: nil, timestamp: nil)
                try write(exporter)
                try exporter.finish()
            }.bytes
        }
        let failed = ParsedCase(
            suitePath: ["suite", "C"], title: "failed", classname: "C", status: .failed, rawStatus: "failure",
            attempts: [ParsedAttempt(index: 0, status: .failed, errors: [ParsedError(message: "no", stack: "at C.java:1")])])
        let records = plain.map(CaseRecord.plain) + [.full(failed)]
        let viaPlain = try document { (exporter) throws(ExportError) in try exporter.writeSuite(suite, records: records) }
        let viaFull = try document { (exporter) throws(ExportError) in
            try exporter.writeSuite(suite, cases: records.map(ParsedCase.init))
        }
        XCTAssertEqual(String(decoding: viaPlain, as: UTF8.self), String(decoding: viaFull, as: UTF8.self))
        // The odd names did need properties, and the cases read back as themselves.
        let xml = String(decoding: viaPlain, as: UTF8.self)
        XCTAssertTrue(xml.contains("verdict.suite_path"), xml)
        XCTAssertTrue(xml.contains("verdict.title"), xml)
        XCTAssertTrue(xml.contains("verdict.attempts"), xml)
        let copies = try reparse(xml).cases
        XCTAssertEqual(copies.count, records.count)
        // A NaN duration has no JUnit spelling, full or plain.
        for (record, copy) in zip(records, copies) where ParsedCase(record).durationMs?.isNaN != true {
            XCTAssertEqual(JUnitRoundTripTests.differences(ParsedCase(record), copy), [])
        }
    }

    /// One xmllint run over every export: a process per file would take seconds.
    func testEveryCorpusExportIsWellFormedForXmllint() throws {
        let corpus = try Corpus.load()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-export-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, path) in corpus.reportFiles().enumerated() {
            let url = directory.appendingPathComponent("\(index).xml")
            try Data(try junitExport(try corpus.report(path))).write(to: url)
            files.append(url.path)
        }
        XCTAssertGreaterThan(files.count, 100)
        guard let result = try runTool("xmllint", ["--noout"] + files, input: []) else { throw XCTSkip("xmllint is not installed") }
        XCTAssertEqual(result.status, 0, "xmllint: \(result.output)")
        XCTAssertEqual(result.output, "")
    }

    func testOutputReachesTheSinkInChunksAsItIsWritten() throws {
        final class Progress { var chunks: [Int] = [] }
        let progress = Progress()
        let exporter = try JUnitExporter { progress.chunks.append($0.count) }
        let cases = (0..<2000).map { ParsedCase(suitePath: ["s"], title: "case \($0)", status: .passed, rawStatus: "passed") }
        try exporter.begin(name: "big", totals: ReportTotals(cases), durationMs: nil, timestamp: nil)
        try exporter.writeSuite(ParsedSuite(name: "s", path: ["s"]), cases: Array(cases[..<1000]))
        XCTAssertGreaterThan(progress.chunks.count, 1, "bytes must flow before the document is complete")
        try exporter.writeSuite(ParsedSuite(name: "s", path: ["s"]), cases: Array(cases[1000...]))
        try exporter.finish()
        XCTAssertLessThanOrEqual(progress.chunks.max() ?? 0, 64 * 1024, "no chunk holds the whole document")
    }

    func testASinkErrorStopsTheExportAndIsReported() throws {
        struct Full: Error {}
        let exporter = try JUnitExporter { _ in throw Full() }
        let cases = (0..<500).map { ParsedCase(suitePath: ["s"], title: "case \($0)", status: .passed, rawStatus: "passed") }
        do {
            try exporter.begin(name: "x", totals: ReportTotals(cases), durationMs: nil, timestamp: nil)
            try exporter.writeSuite(ParsedSuite(name: "s", path: ["s"]), cases: cases)
            try exporter.finish()
            XCTFail("the sink error was swallowed")
        } catch {
            guard case .sink(let underlying) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(underlying is Full)
        }
    }

    func testCallsOutOfOrderAreRejected() throws {
        let exporter = try JUnitExporter { _ in }
        XCTAssertThrowsError(try exporter.writeSuite(ParsedSuite(name: "s", path: ["s"]), cases: []))
        try exporter.begin(name: "x", totals: ReportTotals(), durationMs: nil, timestamp: nil)
        XCTAssertThrowsError(try exporter.begin(name: "x", totals: ReportTotals(), durationMs: nil, timestamp: nil))
        try exporter.finish()
        XCTAssertThrowsError(try exporter.finish())
    }

    private func assertWellFormed(_ bytes: [UInt8], _ label: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        guard let result = try runTool("xmllint", ["--noout", "-"], input: bytes) else {
            throw XCTSkip("xmllint is not installed")
        }
        XCTAssertEqual(result.status, 0, "\(label): xmllint: \(result.output)", file: file, line: line)
    }
}
