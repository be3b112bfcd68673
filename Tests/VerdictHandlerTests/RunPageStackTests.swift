import VerdictAPI
import VerdictPages
import XCTest

@testable import VerdictCore

/// The run page's failures in process: the head of each stack shows, a screenful more waits
/// behind a disclosure, and the case page is linked when even that is not all of it.
final class RunPageStackTests: XCTestCase {
    static func junit(name: String, frames: Int) -> String {
        let stack = (0..<frames).map { "    at Frame\($0).run (frames.js:\($0):1)" }.joined(separator: "\n")
        return """
            <testsuite name="stacks"><testcase classname="stacks.Stack" name="\(name)">\
            <failure message="boom" type="Error">Error: boom
            \(stack)</failure></testcase></testsuite>
            """
    }

    func render(frames: Int) async throws -> String {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let report = try TestDatabase.ingest(Self.junit(name: "fails", frames: frames), project: "stacks", for: team.access, db)
        let page = await HandlerHarness().call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": report.runID.text], key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        return page.text
    }

    func testAShortStackShowsWholeWithNoDisclosure() async throws {
        let html = try await render(frames: 3)
        XCTAssertTrue(html.contains("<pre>Error: boom\n    at Frame0.run (frames.js:0:1)\n    at Frame1.run"), html)
        XCTAssertTrue(html.contains("at Frame2.run (frames.js:2:1)</pre>"))
        XCTAssertFalse(html.contains("more lines of the stack"))
    }

    func testALongStackShowsItsHeadThenAScreenfulThenLinksTheCase() async throws {
        let html = try await render(frames: 200)
        // Six lines in the head: the message line and five frames.
        XCTAssertTrue(html.contains("at Frame4.run (frames.js:4:1)</pre>"), html)
        XCTAssertTrue(html.contains("<summary>30 more lines of the stack</summary><pre>    at Frame5.run"))
        XCTAssertTrue(html.contains("at Frame34.run (frames.js:34:1)</pre>"))
        XCTAssertFalse(html.contains("Frame35.run"))
        XCTAssertTrue(html.contains(">The whole stack</a>"))
    }

    func testAStackThatEndsInTheDisclosureLinksNothingMore() async throws {
        let html = try await render(frames: 20)
        XCTAssertTrue(html.contains("<summary>15 more lines of the stack</summary>"), html)
        XCTAssertTrue(html.contains("at Frame19.run (frames.js:19:1)</pre>"))
        XCTAssertFalse(html.contains(">The whole stack</a>"))
    }
}

/// Where a page's script opens the WebSocket API: what the function was told, or nowhere (and
/// then it polls).
final class PageLiveURLTests: XCTestCase {
    func liveConfig(liveURL: String?) async throws -> String {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let running = try TestDatabase.ingest(RunPageStackTests.junit(name: "live", frames: 1), project: "live-url", for: team.access, db)
        try db.query("UPDATE runs SET status = 'running' WHERE id = $1", [running.runID.text])
        let settings = FunctionSettings(functionName: "page-run", databaseURL: HandlerHarness.databaseURL, liveURL: liveURL)
        let harness = HandlerHarness(
            resources: FunctionResources(settings: settings, objectStore: .success(HandlerHarness.signingOnlyStore)))
        let page = await harness.call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": running.runID.text], key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        let start = try XCTUnwrap(page.text.range(of: "<script type=\"application/json\" id=\"live-config\">"), page.text)
        let end = try XCTUnwrap(page.text.range(of: "</script>", range: start.upperBound..<page.text.endIndex))
        return String(page.text[start.upperBound..<end.lowerBound])
    }

    func testThePageOpensTheAPIItWasToldOf() async throws {
        let config = try await liveConfig(liveURL: "wss://abc123.execute-api.eu-west-1.amazonaws.com/live")
        XCTAssertTrue(config.contains("\"websocket\":\"wss://abc123.execute-api.eu-west-1.amazonaws.com/live\""), config)
        XCTAssertTrue(config.contains("\"active\":true"), config)
    }

    func testWithoutOneThePagePolls() async throws {
        let config = try await liveConfig(liveURL: nil)
        XCTAssertTrue(config.contains("\"websocket\":null"), config)
    }

    func testTheSettingComesFromTheEnvironment() {
        let environment = ["VERDICT_LIVE_URL": "/ws", "AWS_LAMBDA_FUNCTION_NAME": "page-run"]
        XCTAssertEqual(FunctionSettings.fromEnvironment { environment[$0] }.liveURL, "/ws")
        XCTAssertNil(FunctionSettings.fromEnvironment { _ in nil }.liveURL)
    }
}
