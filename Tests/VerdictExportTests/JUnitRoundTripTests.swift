import VerdictExport
import VerdictJSON
import VerdictReports
import VerdictTestSupport
import XCTest

/// Every corpus report, whatever its format, exported to JUnit and parsed again, must give back
/// the same cases: JUnit plus the `verdict.` properties loses nothing but sub-millisecond time.
final class JUnitRoundTripTests: XCTestCase {
    func testEveryCorpusReportSurvivesAJUnitRoundTrip() throws {
        try checkCorpusRoundTrip(
            "JUnit", export: junitExport, reparse: { try ReportParser.parse($0, format: .junit) }, differences: Self.differences
        ) { path, original, copy in XCTAssertEqual(copy.totals, original.totals, "\(path): totals") }
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
