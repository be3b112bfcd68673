import HTTPContract
import VerdictAPI
import VerdictDB
import VerdictJSON
import XCTest

@testable import VerdictCore

/// Two teams, every read route: a team's private project is readable with its own key and
/// "not found" to anyone else, anonymous or another team's key, exactly like an id that does
/// not exist.
final class TenancyTests: XCTestCase {
    static let junit = """
        <testsuites>
          <testsuite name="checkout" tests="2" failures="1">
            <testcase classname="checkout.Cart" name="adds an item" time="0.5"/>
            <testcase classname="checkout.Cart" name="removes an item" time="0.2">
              <failure message="expected 0 items">trace line 1</failure>
              <system-out>[[ATTACHMENT|/tmp/screens/cart.png]]</system-out>
            </testcase>
          </testsuite>
        </testsuites>
        """

    struct Stored {
        var runID: String
        var reportID: String
        var caseID: String
        var testID: String
        var attachmentID: String
        var projectID: String
    }

    func store(project: String, for access: TeamAccess, _ db: PostgresConnection) throws -> Stored {
        let report = try TestDatabase.ingest(Self.junit, project: project, for: access, db)
        let failed = try XCTUnwrap(
            try db.query("SELECT id, test_id FROM cases WHERE report_id = $1 AND status = 'failed'", [report.reportID.text]).first)
        let attachment = try XCTUnwrap(try db.query("SELECT id FROM attachments WHERE report_id = $1", [report.reportID.text]).first)
        let project = try XCTUnwrap(try db.query("SELECT project_id FROM runs WHERE id = $1", [report.runID.text]).first)
        return Stored(
            runID: report.runID.text, reportID: report.reportID.text, caseID: try failed.decode("id"), testID: try failed.decode("test_id"),
            attachmentID: try attachment.decode("id"), projectID: try project.decode("project_id"))
    }

    /// Two teams whose projects are public by default, and a run of `project` in the first one's.
    func twoTeams(storing project: String) throws -> (
        owner: (key: String, access: TeamAccess), stranger: (key: String, access: TeamAccess), stored: Stored
    ) {
        let db = try TestDatabase.connection()
        let owner = try TestDatabase.team(db)
        return (owner, try TestDatabase.team(db), try store(project: project, for: owner.access, db))
    }

    /// Every read route, as (name, call with a key or none).
    func readRoutes(_ stored: Stored) -> [(String, (String?) async -> HandlerHarness.Response)] {
        let signing = HandlerHarness()
        // Exports answer small runs inline; with no bucket they never try to reach one.
        let inline = HandlerHarness(objectStore: .failure(.configuration("no bucket in this test")))
        let run = ["id": stored.runID]
        return [
            ("GET /api/v1/runs/{id}", { await signing.call(GetRun(), "/api/v1/runs/\(stored.runID)", pathParameters: run, key: $0) }),
            ("GET /api/v1/runs/{id}/suites", { await signing.call(ListRunSuites(), "/x", pathParameters: run, key: $0) }),
            ("GET /api/v1/runs/{id}/cases", { await signing.call(ListRunCases(), "/x", pathParameters: run, key: $0) }),
            ("GET /api/v1/runs/{id}/failures", { await signing.call(ListRunFailures(), "/x", pathParameters: run, key: $0) }),
            ("GET /api/v1/cases/{id}", { await signing.call(GetCase(), "/x", pathParameters: ["id": stored.caseID], key: $0) }),
            (
                "GET /api/v1/tests/{test_id}/history",
                { await signing.call(GetTestHistory(), "/x", pathParameters: ["test_id": stored.testID], key: $0) }
            ),
            (
                "GET /api/v1/reports/{id}/raw",
                { await signing.call(DownloadReport(), "/x", pathParameters: ["id": stored.reportID], key: $0) }
            ),
            (
                "GET /api/v1/attachments/{id}",
                { await signing.call(DownloadAttachment(), "/x", pathParameters: ["id": stored.attachmentID], key: $0) }
            ),
            ("GET /api/v1/runs/{id}/junit.xml", { await inline.call(ExportRun(.junit), "/x", pathParameters: run, key: $0) }),
            ("GET /api/v1/runs/{id}/ctrf.json", { await inline.call(ExportRun(.ctrf), "/x", pathParameters: run, key: $0) }),
        ]
    }

    func testAPrivateProjectIsNotFoundToEveryoneButItsTeamOnEveryReadRoute() async throws {
        let db = try TestDatabase.connection()
        let owner = try TestDatabase.team(db, projectsPublic: false)
        let stranger = try TestDatabase.team(db)
        let stored = try store(project: "private-app", for: owner.access, db)

        for (route, call) in readRoutes(stored) {
            let mine = await call(owner.key)
            // The attachment's bytes were never uploaded: its owner learns that, nobody else does.
            let expectedOwnerStatus = route.hasPrefix("GET /api/v1/reports") ? 302 : route.hasPrefix("GET /api/v1/attachments") ? 404 : 200
            XCTAssertEqual(mine.status, expectedOwnerStatus, "\(route) with the owner's key: \(mine.text)")
            if route.hasPrefix("GET /api/v1/attachments") { XCTAssertEqual(mine.errorCode, "attachment_not_stored", route) }
            for (who, key) in [("anonymous", nil), ("another team's key", stranger.key)] as [(String, String?)] {
                let theirs = await call(key)
                XCTAssertEqual(theirs.status, 404, "\(route) as \(who): \(theirs.text)")
                XCTAssertEqual(theirs.errorCode, "not_found", "\(route) as \(who)")
                XCTAssertFalse(theirs.text.contains("private-app"), "\(route) as \(who) leaks the project")
            }
        }

        // Lists leave the run out rather than refusing.
        let harness = HandlerHarness()
        let query = "project=private-app&limit=500"
        let ownList = await harness.call(ListRuns(), "/api/v1/runs", query: query, key: owner.key)
        XCTAssertEqual(ownList.itemIDs, [stored.runID])
        for key in [nil, stranger.key] {
            let list = await harness.call(ListRuns(), "/api/v1/runs", query: query, key: key)
            XCTAssertEqual(list.status, 200, list.text)
            XCTAssertFalse(list.itemIDs.contains(stored.runID), "a hidden run is listed")
            let projects = try await allPages(harness, ListProjects(), key: key)
            XCTAssertFalse(projects.contains(stored.projectID), "a hidden project is listed")
        }
        let ownProjects = try await allPages(harness, ListProjects(), key: owner.key)
        XCTAssertTrue(ownProjects.contains(stored.projectID))
    }

    func testPublicProjectsAreReadByAnyoneAndAProjectSettingOverridesTheTeamDefault() async throws {
        let (owner, stranger, stored) = try twoTeams(storing: "open-app")
        let harness = HandlerHarness()

        for (route, call) in readRoutes(stored) where !route.contains("attachments") {
            for key in [nil, stranger.key, owner.key] {
                let response = await call(key)
                XCTAssertTrue([200, 302].contains(response.status), "\(route) of a public project: \(response.text)")
            }
        }

        // The project turns private: only its team still sees it.
        let updated = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], key: owner.key,
            body: #"{"public": false}"#)
        XCTAssertEqual(updated.status, 200, updated.text)
        XCTAssertEqual(updated.json["public"]?.boolValue, false)
        XCTAssertEqual(updated.json["public_override"]?.boolValue, false)
        let run = ["id": stored.runID]
        let hidden = await harness.call(GetRun(), "/x", pathParameters: run)
        XCTAssertEqual(hidden.status, 404)
        let r1 = await harness.call(GetRun(), "/x", pathParameters: run, key: owner.key)
        XCTAssertEqual(r1.status, 200)

        // Back to the team default, and the team's default turned off: still private.
        let followsTeam = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], key: owner.key,
            body: #"{"public": null}"#)
        XCTAssertEqual(followsTeam.json["public_override"], .null)
        XCTAssertEqual(followsTeam.json["public"]?.boolValue, true)
        let r2 = await harness.call(GetRun(), "/x", pathParameters: run)
        XCTAssertEqual(r2.status, 200)
        let team = await harness.call(
            UpdateTeam(), "/api/v1/team", method: "PATCH", key: owner.key, body: #"{"projects_public_by_default": false}"#)
        XCTAssertEqual(team.status, 200, team.text)
        XCTAssertEqual(team.json["projects_public_by_default"]?.boolValue, false)
        let r3 = await harness.call(GetRun(), "/x", pathParameters: run)
        XCTAssertEqual(r3.status, 404)
        let r4 = await harness.call(GetRun(), "/x", pathParameters: run, key: stranger.key)
        XCTAssertEqual(r4.status, 404)

        // A project's own "public" beats its team's "private".
        _ = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], key: owner.key,
            body: #"{"public": true}"#)
        let r5 = await harness.call(GetRun(), "/x", pathParameters: run)
        XCTAssertEqual(r5.status, 200)

        let me = await harness.call(Me(), "/api/v1/me", key: owner.key)
        XCTAssertEqual(me.json["team"]?["projects_public_by_default"]?.boolValue, false)
    }

    func testOnlyTheOwningTeamChangesAProjectsVisibility() async throws {
        let (owner, stranger, stored) = try twoTeams(storing: "guarded-app")
        let harness = HandlerHarness()
        let foreign = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], key: stranger.key,
            body: #"{"public": false}"#
        )
        XCTAssertEqual(foreign.status, 404, foreign.text)
        let r6 = await harness.call(GetRun(), "/x", pathParameters: ["id": stored.runID])
        XCTAssertEqual(r6.status, 200, "nothing changed")
        let anonymous = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], body: #"{"public": false}"#)
        XCTAssertEqual(anonymous.status, 401)
        let missing = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], key: owner.key, body: "{}")
        XCTAssertEqual(missing.errorCode, "invalid_parameter")
        let wrongType = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": stored.projectID], key: owner.key,
            body: #"{"public": "yes"}"#)
        XCTAssertEqual(wrongType.errorCode, "invalid_parameter")
    }

    func allPages<Handler: Endpoint>(_ harness: HandlerHarness, _ handler: Handler, key: String?) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = await harness.call(handler, "/x", query: "limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""), key: key)
            XCTAssertEqual(page.status, 200, page.text)
            ids += page.itemIDs
            cursor = page.json["next_cursor"]?.stringValue
        } while cursor != nil
        return ids
    }
}

/// A project's repository: set by its team, refused when it is not a repository URL, and used
/// by the run page to link the commit and the CI run.
final class ProjectRepositoryTests: XCTestCase {
    func testARepositoryLinksTheRunPagesCommitAndCIRun() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let identity = try RunIdentity(
            project: "linked-\(UUID().uuidString.prefix(8))", commit: "abcdef1234567", branch: "main", ciRunID: "123456", ciRunAttempt: "2",
            name: nil)
        let run = try RunService(db: db).begin(identity, for: team.access, expected: 1).run
        let harness = HandlerHarness()
        let path = ["project": run.projectID.text]
        let bad = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: path, key: team.key, body: #"{"repository":"javascript:alert(1)"}"#)
        XCTAssertEqual(bad.errorCode, "invalid_parameter")
        XCTAssertTrue(bad.json["error"]?["message"]?.stringValue?.hasPrefix("repository") == true, bad.text)
        let set = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: path, key: team.key,
            body: #"{"repository":"https://github.com/acme/shop"}"#)
        XCTAssertEqual(set.status, 200, set.text)
        XCTAssertEqual(set.json["repository"]?.stringValue, "https://github.com/acme/shop")
        XCTAssertEqual(set.json["public"]?.boolValue, true, "a change leaves what it does not name")
        let read = try RunQueries(db: db).get(run.id, as: .anonymous).run
        let links = try XCTUnwrap(RepositoryLinks(read.repositoryURL), "a run carries its project's repository")
        XCTAssertEqual(links.commit("abcdef1234567"), "https://github.com/acme/shop/commit/abcdef1234567")
        XCTAssertEqual(links.ciRun("123456", attempt: 2), "https://github.com/acme/shop/actions/runs/123456/attempts/2")
        XCTAssertNil(links.ciRun("build-7", attempt: 1), "only a numeric run id is an Actions run")
        let cleared = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: path, key: team.key, body: #"{"repository":null}"#)
        XCTAssertEqual(cleared.json["repository"], .null)
    }
}
