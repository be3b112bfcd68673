import Foundation
@testable import VerdictCore
import VerdictDB
import XCTest

/// Tenancy through the real emulator: the development team makes one project private, and
/// from then on its runs answer only to the team's own key: anonymous readers and a second
/// team's key get 404, lists leave them out, and the project's other team stays unaffected.
final class TenancyEndToEndTests: TemplateEmulatorTestCase {
    override class var emulatorArguments: [String] { ["--no-schedules"] }

    func testAPrivateProjectIsHiddenFromAnonymousReadersAndOtherTeams() async throws {
        let owner = ["X-API-Key": Self.developmentKey]
        let project = "tenancy-\(UUID().uuidString.prefix(8).lowercased())"
        let junit = #"<testsuite name="s"><testcase classname="c" name="t"><failure message="m"/></testcase></testsuite>"#
        let uploaded = try await HTTPClient.send(
            "POST", "\(base)/api/v1/reports?project=\(project)&ci_run_id=1", headers: owner, body: Data(junit.utf8))
        XCTAssertEqual(uploaded.status, 201, uploaded.text)
        let runID = try XCTUnwrap(try uploaded.json()["run_id"] as? String)

        // Another team, with a key of its own (teams are made by SQL until sign-in arrives).
        let db = try PostgresConnection(url: requireDatabaseURL())
        let slug = "other-\(UUID().uuidString.prefix(8).lowercased())"
        let team = try XCTUnwrap(try db.query("INSERT INTO teams (slug, name) VALUES ($1, $1) RETURNING id", [slug]).first)
        let stranger = ["X-API-Key": try APIKeyService(db: db).create(teamID: try team.decode("id"), name: "k", scopes: [.read]).secret]

        let projects = try await HTTPClient.send("GET", "\(base)/api/v1/projects?limit=500", headers: owner)
        let projectID = try XCTUnwrap(
            (try projects.json()["items"] as? [[String: Any]])?.first { $0["name"] as? String == project }?["id"] as? String)
        let before = try await status("/api/v1/runs/\(runID)", headers: [:])
        XCTAssertEqual(before, 200, "public by default")

        let privated = try await HTTPClient.send(
            "PATCH", "\(base)/api/v1/projects/\(projectID)", headers: owner, body: Data(#"{"public":false}"#.utf8))
        XCTAssertEqual(privated.status, 200, privated.text)
        XCTAssertEqual(try privated.json()["public"] as? Bool, false)

        for path in ["/api/v1/runs/\(runID)", "/api/v1/runs/\(runID)/cases", "/api/v1/runs/\(runID)/junit.xml"] {
            let ownStatus = try await status(path, headers: owner)
            XCTAssertEqual(ownStatus, 200, path)
            let anonymousStatus = try await status(path, headers: [:])
            XCTAssertEqual(anonymousStatus, 404, path)
            let strangerStatus = try await status(path, headers: stranger)
            XCTAssertEqual(strangerStatus, 404, path)
        }
        let anonymousList = try await HTTPClient.send("GET", "\(base)/api/v1/runs?project=\(project)")
        XCTAssertEqual((try anonymousList.json()["items"] as? [Any])?.count, 0)
        let ownList = try await HTTPClient.send("GET", "\(base)/api/v1/runs?project=\(project)", headers: owner)
        XCTAssertEqual((try ownList.json()["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [runID])

        // Only the owning team may change it back.
        let foreign = try await HTTPClient.send(
            "PATCH", "\(base)/api/v1/projects/\(projectID)", headers: stranger, body: Data(#"{"public":true}"#.utf8))
        XCTAssertEqual(foreign.status, 403, "a read-only key of another team: \(foreign.text)")
    }

    func status(_ path: String, headers: [String: String]) async throws -> Int {
        let response = try await HTTPClient.send("GET", "\(base)\(path)", headers: headers)
        if response.status >= 400 { XCTAssertEqual(response.errorCode(), "not_found") }
        return response.status
    }
}
