import VerdictExport
import VerdictJSON
import VerdictReports
import VerdictTestSupport
import XCTest

/// Every corpus report, whatever its format, exported to JUnit and parsed again, must give back
/// the same cases: JUnit plus the `verdict.` properties loses nothing but sub-millisecond time.
final class JUnitRoundTripTests: XCTestCase {
    func testEveryCorpusReportSurvivesAJUnitRoundTrip() throws {
        let corpus = try Corpus.load()
        let files = corpus.reportFiles()
        XCTAssertGreaterThan(files.count, 100, "corpus at \(corpus.root.path) looks incomplete")
        var cases = 0
        for path in files {
            let original = try corpus.report(path)
            let copy: ParsedReport
            do {
                copy = try ReportParser.parse(try junitExport(original), format: .junit)
            } catch {
                XCTFail("\(path): the export does not parse: \(error)")
                continue
            }
            XCTAssertEqual(copy.cases.count, original.cases.count, "\(path): case count")
            XCTAssertEqual(copy.totals, original.totals, "\(path): totals")
            for (index, (a, b)) in zip(original.cases, copy.cases).enumerated() {
                let differences = Self.differences(a, b)
                XCTAssert(differences.isEmpty, "\(path) case \(index) '\(a.title)':\n" + differences.joined(separator: "\n"))
            }
            cases += original.cases.count
        }
        print("JUnit round trip: \(cases) cases from \(files.count) files")
    }

    static func differences(_ a: ParsedCase, _ b: ParsedCase) -> [String] {
        var comparison = CaseComparison()
        comparison.check("identity", a.identity, b.identity)
        comparison.check("suite path", a.suitePath, b.suitePath)
        comparison.check("file", a.file, b.file)
        comparison.check("line", a.line, b.line)
        comparison.check("title", a.title, b.title)
        comparison.check("full title", a.fullTitle, b.fullTitle)
        comparison.check("classname", a.classname, b.classname)
        comparison.check("project", a.project, b.project)
        comparison.check("status", a.status, b.status)
        comparison.check("raw status", a.rawStatus, b.rawStatus)
        comparison.check("skip reason", a.skipReason, b.skipReason)
        comparison.check("tags", a.tags, b.tags)
        comparison.check("annotations", a.annotations, b.annotations)
        comparison.check("attachments", a.attachments, b.attachments)
        comparison.check("properties", a.properties, b.properties)
        comparison.checkDuration("duration", a.durationMs, b.durationMs)
        comparison.checkAttempts(a.attempts, b.attempts)
        return comparison.differences
    }
}
