import Foundation
import XCTest

/// A failure cluster's summary through the real emulator and a real handler process, with a fake
/// summary command configured in the template: it reads the prompt on stdin and answers with
/// what it read (and markup, which the run page must show as text).
final class ClusterSummaryEndToEndTests: TemplateEmulatorTestCase {
    override class var emulatorParameters: [String: String] {
        [
            "ClusterSummaryCommand": """
            python3 -c "import json, sys; p = json.load(sys.stdin); print('<b>likely</b>: ' + p['template'] + ' in ' + str(len(p['tests'])) + ' tests of ' + p['project'] + (' DB' if 'DATABASE_URL' in __import__('os').environ else ''))"
            """
        ]
    }

    var auth: [String: String] { ["X-API-Key": Self.developmentKey] }

    func testTheConfiguredCommandSummarizesAClusterAndTheRunPageShowsItAsText() async throws {
        let project = "summaries-\(UUID().uuidString.prefix(8))"
        let failure = "expected cart total 10 but got 9 (\(UUID().uuidString.prefix(6)))"
        let xml = """
            <testsuite name="cart">
              <testcase classname="shop.Cart" name="a"><failure message="\(failure)" type="AssertionError">\(failure)</failure></testcase>
              <testcase classname="shop.Cart" name="b"><failure message="\(failure)" type="AssertionError">\(failure)</failure></testcase>
            </testsuite>
            """
        let upload = try await HTTPClient.send(
            "POST", "\(base)/api/v1/reports?project=\(project)&ci_run_id=\(UUID().uuidString)", headers: auth, body: Data(xml.utf8))
        XCTAssertEqual(upload.status, 201, upload.text)
        let runID = try XCTUnwrap((try upload.json()["run"] as? [String: Any])?["id"] as? String)
        let clusters = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/clusters", headers: auth)
        let cluster = try XCTUnwrap((try clusters.json()["items"] as? [[String: Any]])?.first)
        XCTAssertTrue(cluster["summary"] is NSNull, "no summary before one is asked for: \(clusters.text)")
        let clusterID = try XCTUnwrap(cluster["id"] as? String)

        let summarized = try await HTTPClient.send(
            "POST", "\(base)/api/v1/projects/\(project)/clusters/\(clusterID)/summary", headers: auth)
        XCTAssertEqual(summarized.status, 200, summarized.text)
        let summary = try XCTUnwrap(try summarized.json()["summary"] as? [String: Any])
        let text = try XCTUnwrap(summary["text"] as? String)
        XCTAssertTrue(text.hasPrefix("<b>likely</b>: expected cart total"), text)
        XCTAssertTrue(text.hasSuffix("in 2 tests of \(project)"), "the command read the prompt, without DATABASE_URL: \(text)")
        XCTAssertNotNil(summary["generated_at"] as? String)

        // Stored: the run's clusters and the cluster's project carry it.
        let again = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/clusters", headers: auth)
        XCTAssertEqual(((try again.json()["items"] as? [[String: Any]])?.first?["summary"] as? [String: Any])?["text"] as? String, text)
        let detail = try await HTTPClient.send("GET", "\(base)/api/v1/clusters/\(clusterID)", headers: auth)
        let sighting = try XCTUnwrap((try detail.json()["projects"] as? [[String: Any]])?.first { $0["project"] as? String == project })
        XCTAssertEqual((sighting["summary"] as? [String: Any])?["text"] as? String, text)

        // The run page shows it as text, never as markup.
        let page = try await HTTPClient.send("GET", "\(base)/runs/\(runID)", headers: auth)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("&lt;b&gt;likely&lt;/b&gt;: expected cart total"), "escaped summary on the run page")
        XCTAssertFalse(page.text.contains("<b>likely</b>"))

        // A cluster the project does not have, and a project of nobody's: not found.
        let unknown = try await HTTPClient.send(
            "POST", "\(base)/api/v1/projects/\(project)/clusters/\(UUID().uuidString.lowercased())/summary", headers: auth)
        XCTAssertEqual(unknown.status, 404, unknown.text)
        let readOnly = try await HTTPClient.send("POST", "\(base)/api/v1/projects/\(project)/clusters/\(clusterID)/summary")
        XCTAssertEqual(readOnly.status, 401, readOnly.text)
    }
}
