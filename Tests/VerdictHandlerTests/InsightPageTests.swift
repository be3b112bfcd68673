import Foundation
import VerdictAPI
import VerdictJSON
import VerdictPages
import VerdictTestSupport
import XCTest

@testable import VerdictCore

/// The compare and trends pages in process: the run page links its comparison, the pages show
/// what the API answers, and a hostile title stays text.
final class InsightPageTests: XCTestCase {
    let harness = HandlerHarness()

    func testTheRunPageLinksTheComparePageWhichListsTheChanges() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "compare-page-\(UUID().uuidString.prefix(8))"
        let hostile = "<script>alert(1)</script>"
        let base = try TestDatabase.run(
            [[JUnitCase("steady"), JUnitCase(hostile)]], project: project, commit: "c0ffee12", for: team.access, db)
        let head = try TestDatabase.run([[JUnitCase("steady"), JUnitCase(hostile, "fail")]], project: project, for: team.access, db)

        let first = await harness.call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": base.text], key: team.key)
        XCTAssertEqual(first.status, 200)
        XCTAssertFalse(first.text.contains("What changed since"), "the first run has nothing to compare with")

        let runPage = await harness.call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": head.text], key: team.key)
        XCTAssertEqual(runPage.status, 200, runPage.text)
        XCTAssertTrue(runPage.text.contains("href=\"/runs/\(head.text)/compare?base=\(base.text)\""), runPage.text)
        XCTAssertTrue(runPage.text.contains("What changed since ci (main · c0ffee12)"), runPage.text)

        let page = await harness.call(
            PageEndpoint(ComparePage()), "/x", pathParameters: ["id": head.text], query: "base=\(base.text)", key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertTrue(page.text.contains("id=\"new_failures\""), page.text)
        // Head's failure is a cause base never had: listed first, with the test it failed.
        XCTAssertTrue(page.text.contains("<section id=\"new_clusters\""), page.text)
        XCTAssertTrue(page.text.contains("<a href=\"#new_clusters\">1</a>"), "the count links to the list")
        XCTAssertTrue(page.text.contains("<code class=\"template\">AssertionError: broke</code>"), page.text)
        XCTAssertLessThan(
            try XCTUnwrap(page.text.range(of: "id=\"new_clusters\"")).lowerBound,
            try XCTUnwrap(page.text.range(of: "<h2 id=\"new_failures\"")).lowerBound)
        XCTAssertTrue(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the title as text")
        XCTAssertFalse(page.text.contains(hostile))
        let defaulted = await harness.call(PageEndpoint(ComparePage()), "/x", pathParameters: ["id": head.text], key: team.key)
        XCTAssertEqual(defaulted.status, 200)
        XCTAssertTrue(defaulted.text.contains("the latest completed run of main before this one"), defaulted.text)
        let none = await harness.call(PageEndpoint(ComparePage()), "/x", pathParameters: ["id": base.text], key: team.key)
        XCTAssertEqual(none.status, 404, none.text)
        XCTAssertTrue(none.text.contains("no completed run"), none.text)
    }

    func testTheTrendsPageChartsEveryBucket() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "trends-page-\(UUID().uuidString.prefix(8))"
        let run = try TestDatabase.run([[JUnitCase("a"), JUnitCase("b", "fail")]], project: project, for: team.access, db)
        _ = try db.query("UPDATE runs SET created_at = '2026-03-03T10:00:00Z' WHERE id = $1", [run.text])
        let projectID: String = try db.query("SELECT project_id FROM runs WHERE id = $1", [run.text]).first!.decode("project_id")

        let projectPage = await harness.call(PageEndpoint(ProjectPage()), "/x", pathParameters: ["project": projectID], key: team.key)
        XCTAssertTrue(projectPage.text.contains("href=\"/projects/\(projectID)/trends\""), projectPage.text)

        let page = await harness.call(
            PageEndpoint(TrendsPage()), "/x", pathParameters: ["project": project], query: "since=2026-03-01&until=2026-03-05",
            key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual(page.text.components(separatedBy: "<svg class=\"chart trend-chart\"").count - 1, 5, "five charts")
        XCTAssertTrue(page.text.contains("1 of 5 buckets with runs"), page.text)
        XCTAssertTrue(page.text.contains("<td>2026-03-04</td>"), "an empty day has its row")
        let weeks = await harness.call(
            PageEndpoint(TrendsPage()), "/x", pathParameters: ["project": projectID], query: "bucket=week&since=2026-03-01",
            key: team.key)
        XCTAssertEqual(weeks.status, 200)
        let bad = await harness.call(
            PageEndpoint(TrendsPage()), "/x", pathParameters: ["project": project], query: "bucket=year", key: team.key)
        XCTAssertEqual(bad.status, 400)
    }
}
