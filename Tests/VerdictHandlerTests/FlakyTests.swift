import Foundation
import HTTPContract
import VerdictAPI
import VerdictDB
import VerdictPages
import VerdictJSON
import VerdictReports
import VerdictS3
import XCTest

@testable import VerdictCore

/// The flaky watch list kept at run completion, the flaky list and quarantine: JUnit reports
/// go through the real ingest, one run each (with a commit and a branch), then the completion
/// hook runs as the upload endpoints run it.
final class FlakyTests: XCTestCase {
    enum Result { case pass, fail, skip, flaky }

    /// A JUnit report: one test case per entry, all in one suite.
    static func junit(_ results: [(String, Result)]) -> String {
        var cases = ""
        for (title, result) in results {
            let name = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
            switch result {
            case .pass: cases += #"<testcase classname="app.Suite" name="\#(name)" time="0.1"/>"#
            case .fail:
                cases += #"<testcase classname="app.Suite" name="\#(name)" time="0.1"><failure message="boom">x</failure></testcase>"#
            case .skip: cases += #"<testcase classname="app.Suite" name="\#(name)"><skipped/></testcase>"#
            case .flaky:
                cases +=
                    #"<testcase classname="app.Suite" name="\#(name)" time="0.1"><flakyFailure message="once">x</flakyFailure></testcase>"#
            }
        }
        return #"<testsuites><testsuite name="app" tests="\#(results.count)">\#(cases)</testsuite></testsuites>"#
    }

    struct Project {
        let db: PostgresConnection
        let owner: (key: String, access: TeamAccess)
        let name: String
        var id = ""
        var runs = 0
        var lastRun: RunID?

        /// Ingests one run and runs the completion hook; `daysAgo` backdates the run.
        @discardableResult
        mutating func run(
            _ results: [(String, Result)], commit: String, branch: String = "main", daysAgo: Double? = nil
        ) throws -> FlakinessWatch.Update {
            runs += 1
            let identity = try RunIdentity(
                project: name, commit: commit, branch: branch, ciRunID: "ci-\(runs)", ciRunAttempt: nil, name: nil)
            let run = try RunService(db: db).begin(identity, for: owner.access, expected: 1).run
            id = run.projectID.text
            // Runs start in order, a minute apart (or as many days ago as asked).
            try db.query(
                "UPDATE runs SET created_at = now() - make_interval(secs => $2::double precision) WHERE id = $1",
                [run.id.text, String(daysAgo.map { $0 * 86_400 } ?? Double(100_000 - runs * 60))])
            let store = ObjectStore(configuration: HandlerHarness.signingOnlyStore)
            let bytes = Array(FlakyTests.junit(results).utf8)
            let file = try DeclaredFile(
                name: "report.xml", kind: "report", size: Int64(bytes.count), sha256: String(repeating: "0", count: 64),
                contentType: nil, field: "file")
            let reserved = try db.transaction {
                try ReportRegistrar(db: db, store: store).reserve(run.id, for: owner.access, shard: "1", format: nil, files: [file])
            }
            let ingested = try ReportIngest(db: db, store: store).ingest(
                reportID: reserved.reportID, runID: run.id, projectID: run.projectID, uploaded: [:],
                produce: ReportIngest.producer(try ReportParser.parse(bytes, format: nil)))
            XCTAssertEqual(ingested.runStatus, .completed)
            lastRun = run.id
            return try FlakinessWatch(db: db).runCompleted(run.id)
        }

        func testID(_ title: String) throws -> String {
            try XCTUnwrap(
                try db.query(
                    "SELECT DISTINCT c.test_id FROM cases c JOIN runs r ON r.id = c.run_id WHERE r.project_id = $1 AND c.title = $2",
                    [id, title]
                ).first
            ).decode("test_id")
        }
    }

    func project(public isPublic: Bool = true) throws -> Project {
        let db = try TestDatabase.connection()
        let owner = try TestDatabase.team(db, projectsPublic: isPublic)
        return Project(db: db, owner: owner, name: "flaky-" + UUID().uuidString.prefix(8).lowercased())
    }

    let harness = HandlerHarness()

    func list(_ project: Project, _ query: String = "", key: String? = nil) async -> HandlerHarness.Response {
        await harness.call(ListFlakyTests(), "/x", pathParameters: ["project": project.id], query: query, key: key ?? project.owner.key)
    }

    func items(_ response: HandlerHarness.Response) -> [JSON] { response.json["items"]?.arrayValue ?? [] }

    func titles(_ response: HandlerHarness.Response) -> [String] {
        items(response).compactMap { $0["full_title"]?.stringValue }
    }

    static let others: [(String, Result)] = (1...10).map { ("steady \($0)", .pass) }
    static let shaA = String(repeating: "a", count: 40)
    static func sha(_ n: Int) -> String { String(n, radix: 16) + String(repeating: "0", count: 39 - String(n, radix: 16).count) + "1" }

    func testATestThatFailsThenPassesOnTheSameCommitIsFlakyAsSoonAsItsSecondRunCompletes() async throws {
        var project = try project()
        try project.run([("login", .fail)] + Self.others, commit: Self.shaA)
        var response = await list(project)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(titles(response), [], "one result is not enough to call anything")
        try project.run([("login", .pass)] + Self.others, commit: Self.shaA)
        response = await list(project)
        XCTAssertEqual(titles(response), ["app.Suite.login"], response.text)
        let item = try XCTUnwrap(items(response).first)
        XCTAssertEqual(item["classification"]?.stringValue, "flaky")
        XCTAssertGreaterThan(item["score"]?.doubleValue ?? 0, 0.99)
        XCTAssertEqual(item["evidence"]?["runs"]?.intValue, 2)
        XCTAssertEqual(item["evidence"]?["failures"]?.intValue, 1)
        XCTAssertEqual(item["evidence"]?["same_commit_contradictions"]?.intValue, 1)
        XCTAssertEqual(item["evidence"]?["flips"]?.intValue, 1)
        XCTAssertNotNil(item["evidence"]?["last_seen"]?.stringValue)
        XCTAssertEqual(item["interval"]?["level"]?.doubleValue, 0.9)
        XCTAssertLessThan(item["interval"]?["lower"]?.doubleValue ?? 1, item["interval"]?["upper"]?.doubleValue ?? 0)
        XCTAssertEqual(item["test_id"]?.stringValue, try project.testID("login"))
        XCTAssertTrue(item["quarantine"]?.isNull ?? false)
        XCTAssertEqual(response.json["branch"]?.stringValue, "main")
        XCTAssertEqual(response.json["window_days"]?.intValue, 30)
        // Steady tests never enter the watch list.
        let watched: Int = try project.db.query(
            "SELECT count(*) AS n FROM test_flakiness WHERE project_id = $1", [project.id]
        ).first!.decode("n")
        XCTAssertEqual(watched, 1)
        // The project can be named instead of its id.
        let byName = await harness.call(ListFlakyTests(), "/x", pathParameters: ["project": project.name], key: project.owner.key)
        XCTAssertEqual(titles(byName), ["app.Suite.login"])
        // As a `{project}` route names it, too.
        let asProject = await harness.call(ListFlakyTests(), "/x", pathParameters: ["project": project.name], key: project.owner.key)
        XCTAssertEqual(titles(asProject), ["app.Suite.login"])
    }

    func testARetryPassIsFlakyAndAnAlwaysFailingTestIsBrokenAndNeverAutoQuarantined() async throws {
        var project = try project()
        try project.run(Self.others, commit: Self.sha(1))
        let patch = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": project.id], key: project.owner.key,
            body: #"{"auto_quarantine": true}"#)
        XCTAssertEqual(patch.status, 200, patch.text)
        XCTAssertEqual(patch.json["auto_quarantine"]?.boolValue, true)
        XCTAssertEqual(patch.json["quarantine_release_after"]?.intValue, 20)
        for n in 2...8 {
            try project.run(
                [("always red", .fail), ("retried", n == 4 ? .flaky : .pass)] + Self.others, commit: Self.sha(n))
        }
        let response = await list(project)
        let byTitle = Dictionary(uniqueKeysWithValues: items(response).map { ($0["full_title"]!.stringValue!, $0) })
        XCTAssertEqual(byTitle["app.Suite.always red"]?["classification"]?.stringValue, "broken", response.text)
        XCTAssertEqual(byTitle["app.Suite.retried"]?["classification"]?.stringValue, "flaky", response.text)
        XCTAssertEqual(byTitle["app.Suite.retried"]?["evidence"]?["retry_passes"]?.intValue, 1)
        XCTAssertTrue(byTitle["app.Suite.always red"]?["quarantine"]?.isNull ?? false, "broken tests are never quarantined automatically")
        XCTAssertEqual(byTitle["app.Suite.retried"]?["quarantine"]?["automatic"]?.boolValue, true)
        XCTAssertEqual(byTitle["app.Suite.retried"]?["quarantine"]?["owner"]?.stringValue, "verdict")
        XCTAssertTrue(
            byTitle["app.Suite.retried"]?["quarantine"]?["reason"]?.stringValue?.hasPrefix("quarantined automatically: flaky, score 0.")
                ?? false)
        // Ranked by score: the flaky test's retry pass outweighs a steady failure.
        XCTAssertEqual(titles(response).first, "app.Suite.retried")
        let onlyBroken = await list(project, "classification=broken")
        XCTAssertEqual(titles(onlyBroken), ["app.Suite.always red"])
    }

    func testAnInfrastructureBurstDoesNotMakeTestsFlaky() async throws {
        var project = try project()
        let tests = (1...12).map { "t\($0)" }
        for n in 1...7 {
            // Run 4: the runner died, 11 of 12 tests failed at once.
            try project.run(tests.enumerated().map { ($1, n == 4 && $0 < 11 ? .fail : .pass) }, commit: Self.sha(n))
        }
        let response = await list(project)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(titles(response), [], response.text)
        let watched: Int = try project.db.query(
            "SELECT count(*) AS n FROM test_flakiness WHERE project_id = $1", [project.id]
        ).first!.decode("n")
        XCTAssertEqual(watched, 0, "a burst's failures are no reason to watch a test")
        // Without the burst rule the same failure would flag each test: one failure among passes.
        var single = try self.project()
        for n in 1...7 { try single.run([("t1", n == 4 ? .fail : .pass)] + Self.others, commit: Self.sha(n)) }
        let flagged = await list(single)
        XCTAssertEqual(titles(flagged), ["app.Suite.t1"], flagged.text)
        XCTAssertEqual(items(flagged).first?["evidence"]?["excluded_burst_runs"]?.intValue, 0)
    }

    func testSkippedResultsAreIgnored() async throws {
        var project = try project()
        try project.run([("login", .fail)] + Self.others, commit: Self.shaA)
        try project.run([("login", .skip)] + Self.others, commit: Self.shaA)
        try project.run([("login", .skip)] + Self.others, commit: Self.shaA)
        var response = await list(project)
        XCTAssertEqual(titles(response), [], "a skip is not a pass: no contradiction yet")
        try project.run([("login", .pass)] + Self.others, commit: Self.shaA)
        response = await list(project)
        XCTAssertEqual(titles(response), ["app.Suite.login"])
        XCTAssertEqual(items(response).first?["evidence"]?["runs"]?.intValue, 2)
    }

    func testHysteresisKeepsAFlakyTestFlakyBetweenTheThresholds() async throws {
        var project = try project()
        // Two failures in a row among passes on distinct commits score between the recovery
        // (0.5) and activation (0.8) thresholds.
        for n in 1...22 { try project.run([("wobbly", n == 11 || n == 12 ? .fail : .pass)] + Self.others, commit: Self.sha(n)) }
        let stored = try XCTUnwrap(
            try project.db.query("SELECT classification, score FROM test_flakiness WHERE project_id = $1", [project.id]).first)
        let score: Double = try stored.decode("score")
        XCTAssertTrue((0.5..<0.8).contains(score), "score \(score)")
        XCTAssertEqual(try stored.decode("classification", as: String.self), "stable")
        var response = await list(project)
        XCTAssertEqual(titles(response), [])
        // Had the last refresh called it flaky, the same history keeps it flaky.
        try project.db.query("UPDATE test_flakiness SET classification = 'flaky' WHERE project_id = $1", [project.id])
        response = await list(project)
        XCTAssertEqual(titles(response), ["app.Suite.wobbly"])
        // And the next completion stores it flaky again (previous = flaky).
        try project.run([("wobbly", .pass)] + Self.others, commit: Self.sha(23))
        let after: String = try project.db.query(
            "SELECT classification FROM test_flakiness WHERE project_id = $1", [project.id]
        ).first!.decode("classification")
        XCTAssertEqual(after, "flaky")
    }

    func testWindowDaysChoosesTheHistoryJudged() async throws {
        var project = try project()
        try project.run([("old flake", .fail)] + Self.others, commit: Self.shaA, daysAgo: 45)
        try project.run([("old flake", .pass)] + Self.others, commit: Self.shaA, daysAgo: 44)
        for n in 1...6 { try project.run([("old flake", .pass)] + Self.others, commit: Self.sha(n), daysAgo: Double(10 - n)) }
        let wide = await list(project, "window_days=60")
        XCTAssertEqual(titles(wide), ["app.Suite.old flake"], wide.text)
        let recent = await list(project, "window_days=30")
        XCTAssertEqual(titles(recent), [], recent.text)
        for bad in ["window_days=0", "window_days=91", "window_days=x", "classification=stable", "nope=1"] {
            let refused = await list(project, bad)
            XCTAssertEqual(refused.status, 400, bad)
            XCTAssertEqual(refused.errorCode, "invalid_parameter")
        }
        let named = await list(project, "window_days=91")
        XCTAssertTrue(named.json["error"]?["message"]?.stringValue?.hasPrefix("window_days") ?? false, named.text)
    }

    func testTheListIsPagedByScore() async throws {
        var project = try project()
        let flaky = ["a", "b", "c"]
        try project.run(flaky.map { ($0, .fail) } + Self.others, commit: Self.shaA)
        try project.run(flaky.map { ($0, .pass) } + Self.others, commit: Self.shaA)
        let first = await list(project, "limit=2")
        XCTAssertEqual(items(first).count, 2, first.text)
        let cursor = try XCTUnwrap(first.json["next_cursor"]?.stringValue)
        let second = await list(project, "limit=2&cursor=\(cursor)")
        XCTAssertEqual(items(second).count, 1, second.text)
        XCTAssertTrue(second.json["next_cursor"]?.isNull ?? false)
        XCTAssertEqual(Set(titles(first) + titles(second)), Set(flaky.map { "app.Suite.\($0)" }))
        let forged = await list(project, "cursor=bm9wZQ")
        XCTAssertEqual(forged.status, 400)
    }

    func testAnotherTeamSeesNothingOfAPrivateProject() async throws {
        var project = try project(public: false)
        try project.run([("login", .fail)] + Self.others, commit: Self.shaA)
        try project.run([("login", .pass)] + Self.others, commit: Self.shaA)
        let stranger = try TestDatabase.team(project.db)
        let own = await list(project)
        XCTAssertEqual(titles(own), ["app.Suite.login"])
        let other = await list(project, key: stranger.key)
        XCTAssertEqual(other.status, 404)
        XCTAssertEqual(other.errorCode, "not_found")
        let anonymous = await harness.call(ListFlakyTests(), "/x", pathParameters: ["project": project.id])
        XCTAssertEqual(anonymous.status, 404)
        let byName = await harness.call(ListFlakyTests(), "/x", pathParameters: ["project": project.name], key: stranger.key)
        XCTAssertEqual(byName.status, 404)
        let quarantines = await harness.call(ListQuarantines(), "/x", pathParameters: ["project": project.id], key: stranger.key)
        XCTAssertEqual(quarantines.status, 404)
        let testID = try project.testID("login")
        let create = await harness.call(
            CreateQuarantine(), "/x", method: "POST", pathParameters: ["project": project.id], key: stranger.key,
            body: #"{"test_id": "\#(testID)", "reason": "r", "owner": "o"}"#)
        XCTAssertEqual(create.status, 404)
    }

    func testQuarantineIsCreatedOnceListedLiftedAndExpires() async throws {
        var project = try project()
        try project.run([("login", .fail)] + Self.others, commit: Self.shaA)
        let testID = try project.testID("login")
        let steady = try project.testID("steady 1")
        func create(_ id: String, _ extra: String = "") async -> HandlerHarness.Response {
            await harness.call(
                CreateQuarantine(), "/x", method: "POST", pathParameters: ["project": project.id], key: project.owner.key,
                body: #"{"test_id": "\#(id)", "reason": "flaky login", "owner": "team-web"\#(extra)}"#)
        }
        func active() async -> HandlerHarness.Response {
            await harness.call(ListQuarantines(), "/x", pathParameters: ["project": project.id], key: project.owner.key)
        }
        let created = await create(testID)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json["automatic"]?.boolValue, false)
        XCTAssertEqual(created.json["active"]?.boolValue, true)
        let again = await create(testID)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json["id"]?.stringValue, created.json["id"]?.stringValue)
        // A test that passed is still one the project has seen; one it never reported is not.
        let steadyCreated = await create(steady, #", "expires_at": "2099-01-01T00:00:00Z""#)
        XCTAssertEqual(steadyCreated.status, 201, steadyCreated.text)
        XCTAssertEqual(steadyCreated.json["expires_at"]?.stringValue?.hasPrefix("2099-01-01T00:00:00"), true)
        let unknown = await create(UUID().uuidString.lowercased())
        XCTAssertEqual(unknown.status, 404)
        for (body, field) in [
            (#"{"test_id": "x", "reason": "r", "owner": "o"}"#, "test_id"), (#"{"test_id": "\#(testID)", "owner": "o"}"#, "reason"),
            (#"{"test_id": "\#(testID)", "reason": "r", "owner": "o", "expires_at": "tomorrow"}"#, "expires_at"),
            (#"{"test_id": "\#(testID)", "reason": "r", "owner": "o", "extra": 1}"#, "extra"),
        ] {
            let refused = await harness.call(
                CreateQuarantine(), "/x", method: "POST", pathParameters: ["project": project.id], key: project.owner.key, body: body)
            XCTAssertEqual(refused.status, 400, body)
            XCTAssertTrue(refused.json["error"]?["message"]?.stringValue?.hasPrefix(field) ?? false, refused.text)
        }
        let past = await create(try project.testID("steady 2"), #", "expires_at": "2001-01-01T00:00:00Z""#)
        XCTAssertEqual(past.status, 400, past.text)
        let listed = await active()
        XCTAssertEqual(items(listed).count, 2)

        let lifted = await harness.call(
            LiftQuarantine(), "/x", method: "DELETE", pathParameters: ["project": project.id, "test_id": steady], key: project.owner.key)
        XCTAssertEqual(lifted.status, 200, lifted.text)
        XCTAssertEqual(lifted.json["active"]?.boolValue, false)
        let liftedAgain = await harness.call(
            LiftQuarantine(), "/x", method: "DELETE", pathParameters: ["project": project.id, "test_id": steady], key: project.owner.key)
        XCTAssertEqual(liftedAgain.status, 404)
        let remaining = await active()
        XCTAssertEqual(items(remaining).map { $0["test_id"]?.stringValue }, [testID])

        // Expired counts as lifted, and the test may be quarantined again.
        try project.db.query("UPDATE quarantines SET expires_at = now() - interval '1 second' WHERE test_id = $1", [testID])
        let none = await active()
        XCTAssertEqual(items(none).count, 0)
        let history = await harness.call(
            ListQuarantines(), "/x", pathParameters: ["project": project.id], query: "include=lifted", key: project.owner.key)
        XCTAssertEqual(items(history).count, 2, history.text)
        XCTAssertEqual(
            Set(items(history).compactMap { $0["lift_reason"]?.stringValue }), ["expired", "lifted"], history.text)
        let renewed = await create(testID)
        XCTAssertEqual(renewed.status, 201, renewed.text)
        XCTAssertNotEqual(renewed.json["id"]?.stringValue, created.json["id"]?.stringValue)
        // Reading needs no key for a public project; writing needs one.
        let anonymous = await harness.call(ListQuarantines(), "/x", pathParameters: ["project": project.id])
        XCTAssertEqual(items(anonymous).count, 1)
        let keyless = await harness.call(
            CreateQuarantine(), "/x", method: "POST", pathParameters: ["project": project.id], body: #"{"test_id": "\#(testID)"}"#)
        XCTAssertEqual(keyless.status, 401)
    }

    func testAutomaticQuarantineIsReleasedAfterTheProjectsCleanRuns() async throws {
        var project = try project()
        try project.run(Self.others, commit: Self.sha(1))
        let patch = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": project.id], key: project.owner.key,
            body: #"{"auto_quarantine": true, "quarantine_release_after": 3}"#)
        XCTAssertEqual(patch.json["quarantine_release_after"]?.intValue, 3, patch.text)
        let refused = await harness.call(
            UpdateProject(), "/x", method: "PATCH", pathParameters: ["project": project.id], key: project.owner.key,
            body: #"{"quarantine_release_after": 0}"#)
        XCTAssertEqual(refused.status, 400)
        try project.run([("login", .fail)] + Self.others, commit: Self.shaA)
        let update = try project.run([("login", .pass)] + Self.others, commit: Self.shaA)
        XCTAssertEqual(update.quarantined.map(\.text), [try project.testID("login")])
        // The same-commit pass is the first clean run in a row; two more make three.
        let clean = try project.run([("login", .pass)] + Self.others, commit: Self.sha(2))
        XCTAssertEqual(clean.released, [], "two clean runs in a row so far")
        let release = try project.run([("login", .pass)] + Self.others, commit: Self.sha(3))
        XCTAssertEqual(release.released.map(\.text), [try project.testID("login")])
        let history = await harness.call(
            ListQuarantines(), "/x", pathParameters: ["project": project.id], query: "include=lifted", key: project.owner.key)
        XCTAssertEqual(items(history).first?["active"]?.boolValue, false)
        XCTAssertTrue(items(history).first?["lift_reason"]?.stringValue?.hasPrefix("released automatically") ?? false)
    }

    func testTheCompletionHookIsIdempotent() async throws {
        var project = try project()
        try project.run([("login", .fail)] + Self.others, commit: Self.shaA)
        try project.run([("login", .pass)] + Self.others, commit: Self.shaA)
        let run = try XCTUnwrap(project.lastRun)
        let again = try FlakinessWatch(db: project.db).runCompleted(run)
        XCTAssertEqual(again.appended, 0)
        XCTAssertEqual(again.entered, 0)
        let response = await list(project)
        XCTAssertEqual(items(response).first?["evidence"]?["runs"]?.intValue, 2, response.text)
    }

    func testTheTestPageShowsTheEvidenceAndTheRunPageMarksQuarantinedFailures() async throws {
        var project = try project()
        let hostile = "<script>alert(1)</script>"
        try project.run([(hostile, .fail)] + Self.others, commit: Self.shaA)
        try project.run([(hostile, .pass)] + Self.others, commit: Self.shaA)
        let testID = try project.testID(hostile)
        var page = await harness.call(PageEndpoint(TestPage()), "/x", pathParameters: ["test_id": testID], key: project.owner.key)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertTrue(page.text.contains("<tr data-classification=\"flaky\"><td>main</td>"), page.text)
        XCTAssertTrue(page.text.contains(">flaky</span>"))
        XCTAssertFalse(page.text.contains("data-quarantine"), "not quarantined yet")
        let created = await harness.call(
            CreateQuarantine(), "/x", method: "POST", pathParameters: ["project": project.id], key: project.owner.key,
            body: #"{"test_id": "\#(testID)", "reason": "<b>flaky</b> login", "owner": "web"}"#)
        XCTAssertEqual(created.status, 201)
        page = await harness.call(PageEndpoint(TestPage()), "/x", pathParameters: ["test_id": testID], key: project.owner.key)
        XCTAssertTrue(page.text.contains("data-quarantine"), page.text)
        XCTAssertTrue(page.text.contains("&lt;b&gt;flaky&lt;/b&gt; login"), "the reason is text")
        XCTAssertFalse(page.text.contains("<script>alert(1)"))
        // A steady test is not watched, and says so.
        let steady = await harness.call(
            PageEndpoint(TestPage()), "/x", pathParameters: ["test_id": try project.testID("steady 1")], key: project.owner.key)
        XCTAssertTrue(steady.text.contains("Not watched"), steady.text)

        try project.run([(hostile, .fail), ("steady 1", .fail)] + Self.others.dropFirst(), commit: Self.sha(7))
        let run = await harness.call(
            PageEndpoint(RunPage()), "/x", pathParameters: ["id": try XCTUnwrap(project.lastRun).text], key: project.owner.key)
        XCTAssertEqual(run.status, 200, run.text)
        XCTAssertEqual(run.text.components(separatedBy: "data-quarantined").count - 1, 1, "only the quarantined test's failure")
    }

    func testTheFlakyPageListsTheBranchsFlakyAndBrokenTests() async throws {
        var project = try project()
        for n in 1...6 { try project.run([("red", .fail), ("<i>wobbly</i>", n == 3 ? .flaky : .pass)] + Self.others, commit: Self.sha(n)) }
        var page = await harness.call(PageEndpoint(FlakyPage()), "/x", pathParameters: ["project": project.name], key: project.owner.key)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual(page.text.components(separatedBy: "<tr data-test=").count - 1, 2, page.text)
        XCTAssertTrue(page.text.contains("app.Suite.&lt;i&gt;wobbly&lt;/i&gt;"))
        XCTAssertTrue(page.text.contains(">broken</span>"))
        page = await harness.call(
            PageEndpoint(FlakyPage()), "/x", pathParameters: ["project": project.id], query: "classification=broken", key: project.owner.key
        )
        XCTAssertEqual(page.text.components(separatedBy: "<tr data-test=").count - 1, 1, page.text)
        let refused = await harness.call(
            PageEndpoint(FlakyPage()), "/x", pathParameters: ["project": project.id], query: "window_days=0", key: project.owner.key)
        XCTAssertEqual(refused.status, 400)
        let stranger = try TestDatabase.team(project.db)
        let hidden = await harness.call(PageEndpoint(FlakyPage()), "/x", pathParameters: ["project": UUID().uuidString], key: stranger.key)
        XCTAssertEqual(hidden.status, 404)
        let projectPage = await harness.call(
            PageEndpoint(ProjectPage()), "/x", pathParameters: ["project": project.id], key: project.owner.key)
        XCTAssertTrue(projectPage.text.contains("/projects/\(project.id)/flaky"), "the project page links it")
    }
}
