import VerdictAPI
import VerdictJSON
import XCTest

@testable import VerdictCore

/// Run reads in process: the failures list a run page opens with, and the run filters a project
/// page searches with.
final class RunReadTests: XCTestCase {
    static let junit = """
        <testsuites>
          <testsuite name="cart" tests="4">
            <testcase classname="cart.Cart" name="adds" time="0.1"/>
            <testcase classname="cart.Cart" name="removes" time="0.2">
              <failure message="expected 0 items" type="AssertionError">AssertionError: expected 0 items
            at Cart.remove (cart.js:10:5)
            at run (runner.js:1:1)</failure>
              <system-out>[[ATTACHMENT|/ci/shots/removes.png]]</system-out>
            </testcase>
            <testcase classname="cart.Cart" name="totals" time="0.3"><error message="boom" type="TypeError">TypeError: boom</error></testcase>
            <testcase classname="cart.Cart" name="skips" time="0"><skipped/></testcase>
          </testsuite>
        </testsuites>
        """

    func testFailuresComeInReportOrderWithTheirStacksAndAttachments() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let report = try TestDatabase.ingest(Self.junit, project: "failures", for: team.access, db)
        let harness = HandlerHarness()
        let page = await harness.call(ListRunFailures(), "/x", pathParameters: ["id": report.runID.text], query: "limit=1", key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        let first = try XCTUnwrap(page.json["items"]?.arrayValue?.first)
        XCTAssertEqual(first["title"]?.stringValue, "removes")
        XCTAssertEqual(first["status"]?.stringValue, "failed")
        XCTAssertEqual(first["error_type"]?.stringValue, "AssertionError")
        XCTAssertTrue(first["stack"]?.stringValue?.contains("at Cart.remove (cart.js:10:5)") == true, "\(first)")
        XCTAssertEqual(first["attachments"]?.arrayValue?.first?["path"]?.stringValue, "/ci/shots/removes.png")
        XCTAssertEqual(first["attachments"]?.arrayValue?.first?["content_type"]?.stringValue, "image/png", "implied by the name")
        let cursor = try XCTUnwrap(page.json["next_cursor"]?.stringValue)
        let rest = await harness.call(
            ListRunFailures(), "/x", pathParameters: ["id": report.runID.text], query: "cursor=\(cursor)", key: team.key)
        XCTAssertEqual(rest.json["items"]?.arrayValue?.map { $0["title"]?.stringValue }, ["totals"], "skipped and passed stay out")
        XCTAssertEqual(rest.json["items"]?.arrayValue?.first?["status"]?.stringValue, "errored")
        XCTAssertEqual(rest.json["next_cursor"], .null)
        XCTAssertEqual(first["stack_truncated"], .bool(false))
    }

    /// A page of failures stays bounded whatever one tool dumped: a stack of ~50,000 characters
    /// comes back cut at the limit, flagged, and whole from the case's own read.
    func testAHugeStackIsCutInTheListAndWholeInTheCase() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let frames = (0..<1000).map { "    at Frame\($0).run (frames.js:\($0):1) é" }.joined(separator: "\n")
        let junit = """
            <testsuite name="dump"><testcase classname="dump.Dump" name="overflows"><failure message="stack overflow" type="RangeError">RangeError: too deep
            \(frames)</failure></testcase></testsuite>
            """
        let report = try TestDatabase.ingest(junit, project: "huge-stacks", for: team.access, db)
        let harness = HandlerHarness()
        let page = await harness.call(ListRunFailures(), "/x", pathParameters: ["id": report.runID.text], key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        let failure = try XCTUnwrap(page.json["items"]?.arrayValue?.first)
        let stack = try XCTUnwrap(failure["stack"]?.stringValue)
        XCTAssertEqual(stack.count, RunFailures.stackLimit, "cut at the limit, in characters")
        XCTAssertTrue(stack.hasPrefix("RangeError: too deep\n    at Frame0.run"), stack.prefix(80).description)
        XCTAssertEqual(failure["stack_truncated"], .bool(true))
        let caseID = try XCTUnwrap(failure["id"]?.stringValue)
        let detail = await harness.call(GetCase(), "/x", pathParameters: ["id": caseID], key: team.key)
        XCTAssertEqual(detail.status, 200, detail.text)
        XCTAssertTrue(detail.text.contains("Frame999.run"), "the case has the whole stack")
    }

    func testRunsAreFoundByCommitPrefixAndCIRunID() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "search-\(UUID().uuidString.prefix(8))"
        var ids: [String: String] = [:]
        for (commit, ci) in [("abcdef1234", "101"), ("abc9999999", "102"), ("fedcba1234", "103")] {
            let identity = try RunIdentity(project: project, commit: commit, branch: "main", ciRunID: ci, ciRunAttempt: nil, name: nil)
            ids[ci] = try RunService(db: db).begin(identity, for: team.access, expected: 1).run.id.text
        }
        let harness = HandlerHarness()
        func found(_ query: String) async -> [String] {
            await harness.call(ListRuns(), "/api/v1/runs", query: "project=\(project)&\(query)", key: team.key).itemIDs
        }
        let byPrefix = await found("commit=ABC")
        XCTAssertEqual(Set(byPrefix), [ids["101"]!, ids["102"]!])
        let byLongerPrefix = await found("commit=abcd")
        XCTAssertEqual(byLongerPrefix, [ids["101"]!])
        let byCI = await found("ci_run_id=103")
        XCTAssertEqual(byCI, [ids["103"]!])
        let bad = await harness.call(ListRuns(), "/api/v1/runs", query: "commit=xyz", key: team.key)
        XCTAssertEqual(bad.errorCode, "invalid_parameter")
        XCTAssertTrue(bad.text.contains("commit"), bad.text)
    }
}
