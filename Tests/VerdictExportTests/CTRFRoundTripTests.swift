import Foundation
import VerdictExport
import VerdictJSON
import VerdictReports
import VerdictTestSupport
import XCTest

/// Every corpus report exported to CTRF and parsed again. CTRF (and Verdict's CTRF parser, which
/// this branch leaves alone) cannot say everything; `expectedAfterCTRF` spells out exactly what
/// changes, so anything else that changes is a failure.
final class CTRFRoundTripTests: XCTestCase {
    func testEveryCorpusReportSurvivesACTRFRoundTripAsFarAsCTRFAllows() throws {
        try checkCorpusRoundTrip(
            "CTRF", export: ctrfExport, reparse: { try ReportParser.parse($0) }, differences: Self.differences
        ) { path, _, copy in XCTAssertEqual(copy.format, .ctrf, path) }
    }

    func testStatusesFoldIntoCTRFsAndKeepTheToolsWord() throws {
        let cases = [
            ParsedCase(suitePath: [], title: "e", status: .errored, rawStatus: "error"),
            ParsedCase(
                suitePath: [], title: "f", status: .flaky, rawStatus: "flaky",
                attempts: [ParsedAttempt(index: 0, status: .failed), ParsedAttempt(index: 1, status: .passed)]),
            ParsedCase(suitePath: [], title: "s", status: .skipped, rawStatus: "pending", skipReason: "todo"),
        ]
        let bytes = try collect { sink in
            let exporter = CTRFExporter(sink: sink)
            try exporter.begin(toolName: "t", totals: ReportTotals(cases), startedAtMs: 1000, stoppedAtMs: 2000)
            for testCase in cases { try exporter.write(testCase) }
            try exporter.finish()
        }.bytes
        let json = try JSON.parse(bytes)
        let tests = try XCTUnwrap(json["results"]?["tests"]?.arrayValue)
        XCTAssertEqual(tests.map { $0["status"]?.stringValue }, ["failed", "passed", "skipped"])
        XCTAssertEqual(tests.map { $0["rawStatus"]?.stringValue }, ["error", "flaky", "pending"])
        XCTAssertEqual(tests[1]["flaky"], true)
        XCTAssertEqual(tests[1]["retries"], 1)
        XCTAssertEqual(tests[0]["extra"]?["verdict"]?["status"], "errored")
        XCTAssertEqual(tests[2]["extra"]?["verdict"]?["skipReason"], "todo")
        let summary = try XCTUnwrap(json["results"]?["summary"])
        XCTAssertEqual(summary["tests"], 3)
        XCTAssertEqual(summary["failed"], 1)
        XCTAssertEqual(summary["passed"], 1)
        XCTAssertEqual(summary["flaky"], 1)
        XCTAssertEqual(summary["skipped"], 1)
        XCTAssertEqual(summary["start"], 1000)
        XCTAssertEqual(summary["stop"], 2000)
        XCTAssertEqual(try ReportParser.parse(bytes).cases.map(\.status), [.failed, .flaky, .skipped])
    }

    func testEmptyReportIsValidCTRF() throws {
        let bytes = try ctrfExport(ParsedReport(format: .ctrf))
        let json = try JSON.parse(bytes)
        XCTAssertEqual(json["results"]?["tests"], .array([]))
        XCTAssertEqual(try ReportParser.parse(bytes).cases, [])
    }

    /// Validated against the schema of ctrf-io/ctrf in the corpus, with python's jsonschema.
    func testCorpusExportsMatchTheCTRFSchema() throws {
        let corpus = try Corpus.load()
        let schema = corpus.root.appendingPathComponent("ctrf/ctrf-io__ctrf/schema/ctrf.schema.json").path
        var exports: [JSON] = []
        for path in corpus.reportFiles() { exports.append(try JSON.parse(try ctrfExport(try corpus.report(path)))) }
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("NO-JSONSCHEMA"); sys.exit(0)
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft7Validator(schema)
            bad = 0
            for i, doc in enumerate(json.load(sys.stdin)):
                for error in validator.iter_errors(doc):
                    bad += 1
                    print(i, list(error.absolute_path), error.message[:200])
                    break
            sys.exit(1 if bad else 0)
            """
        guard let result = try runTool("python3", ["-c", script, schema], input: JSON.array(exports).serialized()) else {
            throw XCTSkip("python3 is not installed")
        }
        if result.output.contains("NO-JSONSCHEMA") { throw XCTSkip("python3 has no jsonschema module") }
        XCTAssertEqual(result.status, 0, result.output)
    }

    /// The case as CTRF and `CTRFParser` give it back: no `errored` (CTRF has no such status),
    /// one message and trace per run (the message falling back to the trace's first line),
    /// no error type, ANSI colours stripped, whole milliseconds, no skip reason, no classname, the
    /// browser's version words dropped from the project, and the parser's reading of titles that
    /// start with the suite path. The schema requires a duration and a non-empty name: unknown
    /// durations come back as 0, an empty title as a placeholder.
    static func expectedAfterCTRF(_ c: ParsedCase) -> ParsedCase {
        var expected = c
        if c.title.isEmpty { expected.title = "(unnamed test)" }
        if c.durationMs == nil {
            expected.durationMs = 0
            // A lone run that matches the test is not listed, so it takes the test's duration.
            if c.attempts.count == 1, c.attempts[0].durationMs == nil, c.attempts[0].status == (c.status == .flaky ? .passed : c.status) {
                expected.attempts[0].durationMs = 0
            }
        }
        expected.status = c.status == .errored ? .failed : c.status
        if c.rawStatus.isEmpty { expected.rawStatus = c.status == .skipped ? "skipped" : expected.status == .failed ? "failed" : "passed" }
        expected.file = c.file.flatMap { $0.contains { !$0.isWhitespace } ? $0 : nil }
        expected.project = c.project.flatMap(browserName)
        let prefix = c.suitePath.joined(separator: " > ") + " > "
        if !c.suitePath.isEmpty, c.title.hasPrefix(prefix), c.title.count > prefix.count {
            expected.title = String(c.title.dropFirst(prefix.count))
        }
        expected.skipReason = nil
        expected.attempts = expected.attempts.enumerated().map { position, attempt in
            var run = attempt
            run.index = position
            run.status = attempt.status == .errored ? .failed : attempt.status
            run.errors = attempt.errors.prefix(1).compactMap { error in
                let message = error.message.flatMap(nonEmpty).map(strippingANSI)
                let stack = error.stack.flatMap(nonEmpty).map(strippingANSI)
                guard message != nil || stack != nil else { return nil }
                return ParsedError(message: message ?? stack.flatMap(firstLine), stack: stack)
            }
            return run
        }
        return expected
    }

    static func differences(_ a: ParsedCase, _ b: ParsedCase) -> [String] {
        let e = expectedAfterCTRF(a)
        var comparison = CaseComparison()
        comparison.check("identity", e.identity, b.identity)
        comparison.check("suite path", e.suitePath, b.suitePath)
        comparison.check("file", e.file, b.file)
        comparison.check("line", e.line, b.line)
        comparison.check("title", e.title, b.title)
        comparison.check("project", e.project, b.project)
        comparison.check("status", e.status, b.status)
        comparison.check("raw status", e.rawStatus, b.rawStatus)
        comparison.check("skip reason", e.skipReason, b.skipReason)
        comparison.check("tags", e.tags, b.tags)
        comparison.checkDuration("duration", e.durationMs, b.durationMs)
        comparison.checkAttempts(e.attempts, b.attempts)
        return comparison.differences
    }

    private static func nonEmpty(_ text: String) -> String? { text.contains { !$0.isWhitespace } ? text : nil }

    private static func browserName(_ browser: String) -> String? {
        let kept = browser.split(separator: " ").prefix { !($0.first?.isNumber ?? false) }
        return kept.isEmpty ? browser : kept.joined(separator: " ")
    }

    private static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy.map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }

    private static func strippingANSI(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[\\x20-\\x3F]*[\\x40-\\x7E]", with: "", options: .regularExpression)
    }
}
