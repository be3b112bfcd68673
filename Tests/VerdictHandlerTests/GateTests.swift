import Foundation
import VerdictAPI
import VerdictDB
import VerdictJSON
import VerdictPages
import XCTest

@testable import VerdictCore

/// Quality gates in process: defined, read strictly, judged on demand and when a run completes.
final class GateTests: XCTestCase {
    var db: PostgresConnection!
    var team: (key: String, access: TeamAccess)!
    let harness = HandlerHarness()

    override func setUpWithError() throws {
        db = try TestDatabase.connection()
        team = try TestDatabase.team(db)
    }

    /// A run of `passing` passing tests and the failures given, in a fresh project.
    func run(project: String, passing: Int, failing: [String] = []) throws -> RunID {
        let cases =
            (0..<passing).map { "<testcase classname=\"gate.Suite\" name=\"passes \($0)\" time=\"0.1\"/>" }
            + failing.map { "<testcase classname=\"gate.Suite\" name=\"\($0)\"><failure message=\"boom \($0)\"/></testcase>" }
        return try TestDatabase.ingest("<testsuite name=\"g\">\(cases.joined())</testsuite>", project: project, for: team.access, db).runID
    }

    func create(_ project: String, _ body: String, key: String? = nil) async -> HandlerHarness.Response {
        await harness.call(CreateGate(), "/x", method: "POST", pathParameters: ["project": project], key: key ?? team.key, body: body)
    }

    func evaluate(_ runID: RunID) async -> HandlerHarness.Response {
        await harness.call(EvaluateRunGates(), "/x", method: "POST", pathParameters: ["id": runID.text], key: team.key)
    }

    func testAGateJudgesEachRuleWithItsThresholdAndActualValue() async throws {
        let project = "gated-\(UUID().uuidString.prefix(8))"
        let runID = try run(project: project, passing: 18, failing: ["login", "cart"])
        let gate = await create(
            project,
            #"""
            {"name":"merge","rules":[{"type":"min_tests","params":{"threshold":20}},{"type":"pass_rate","params":{"threshold":95}},
            {"type":"max_failures","params":{"threshold":1}},{"type":"required_tests","params":{"tests":["gate.Suite.passes 3","gate.Suite.login","gate.Suite.nope"]}},
            {"type":"no_new_clusters"}]}
            """#)
        XCTAssertEqual(gate.status, 201, gate.text)
        let verdict = await evaluate(runID)
        XCTAssertEqual(verdict.status, 200, verdict.text)
        XCTAssertEqual(verdict.json["passed"]?.boolValue, false)
        let rules = verdict.json["gates"]?.arrayValue?.first?["rules"]?.arrayValue ?? []
        let byType = Dictionary(uniqueKeysWithValues: rules.map { ($0["type"]?.stringValue ?? "", $0) })
        XCTAssertEqual(byType["min_tests"]?["passed"]?.boolValue, true)
        XCTAssertEqual(byType["min_tests"]?["actual"]?.doubleValue, 20)
        XCTAssertEqual(byType["pass_rate"]?["actual"]?.doubleValue, 90)
        XCTAssertEqual(byType["pass_rate"]?["threshold"]?.doubleValue, 95)
        XCTAssertEqual(byType["pass_rate"]?["passed"]?.boolValue, false)
        XCTAssertEqual(byType["max_failures"]?["passed"]?.boolValue, false)
        XCTAssertEqual(byType["required_tests"]?["actual"]?.doubleValue, 1)
        XCTAssertEqual(
            byType["required_tests"]?["message"]?.stringValue,
            "1 of 3 required tests passed; missing: gate.Suite.nope; not passing: gate.Suite.login")
        XCTAssertEqual(byType["no_new_clusters"]?["passed"]?.boolValue, false, "the run's two failures are causes never seen before")
        // Stored: the run's gates read back the same verdicts.
        let stored = await harness.call(GetRunGates(), "/x", pathParameters: ["id": runID.text], key: team.key)
        XCTAssertEqual(stored.json["passed"]?.boolValue, false)
        XCTAssertEqual(stored.json["gates"]?.arrayValue?.first?["rules"], verdict.json["gates"]?.arrayValue?.first?["rules"])
        XCTAssertNotNil(stored.json["gates"]?.arrayValue?.first?["evaluated_at"]?.stringValue)
        // A quarantined test's failure does not count against max_failures.
        let loginID: String = try db.query(
            "SELECT test_id FROM cases WHERE run_id = $1 AND title = 'login'", [runID.text]
        ).first!.decode("test_id")
        let quarantine = await harness.call(
            CreateQuarantine(), "/x", method: "POST", pathParameters: ["project": project], key: team.key,
            body: "{\"test_id\":\"\(loginID)\",\"reason\":\"flaky login\",\"owner\":\"web\"}")
        XCTAssertEqual(quarantine.status, 201, quarantine.text)
        let afterQuarantine = await evaluate(runID)
        let maxFailures = afterQuarantine.json["gates"]?.arrayValue?.first?["rules"]?.arrayValue?.first {
            $0["type"]?.stringValue == "max_failures"
        }
        XCTAssertEqual(maxFailures?["actual"]?.doubleValue, 1, afterQuarantine.text)
        XCTAssertEqual(maxFailures?["passed"]?.boolValue, true)
        let page = await harness.call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": runID.text], key: team.key)
        XCTAssertTrue(page.text.contains("Quality gates"), page.text)
        XCTAssertTrue(page.text.contains("pass rate 94.74 %; at least 95 % required"), "a failing rule's message is on the run page")
        // A run that meets every rule passes.
        let green = try run(project: project, passing: 25)
        let greenVerdict = await evaluate(green)
        XCTAssertEqual(greenVerdict.json["passed"]?.boolValue, false, "required tests are still missing or failing: \(greenVerdict.text)")
        let id = try XCTUnwrap(gate.json["id"]?.stringValue)
        let relaxed = await harness.call(
            UpdateGate(), "/x", method: "PATCH", pathParameters: ["project": project, "gate": id], key: team.key,
            body: #"{"rules":[{"type":"min_tests","params":{"threshold":20}},{"type":"pass_rate","params":{"threshold":95}}]}"#)
        XCTAssertEqual(relaxed.status, 200, relaxed.text)
        let relaxedVerdict = await evaluate(green)
        XCTAssertEqual(relaxedVerdict.json["passed"]?.boolValue, true, relaxedVerdict.text)
    }

    func testRulesAreReadStrictlyAndNamesAreUnique() async throws {
        let project = "gate-rules-\(UUID().uuidString.prefix(8))"
        _ = try run(project: project, passing: 1)
        let cases: [(String, String)] = [
            (#"{"name":"x","rules":[{"type":"pass_rate","params":{"threshold":101}}]}"#, "rules[0].params.threshold"),
            (#"{"name":"x","rules":[{"type":"coverage","params":{"threshold":1}}]}"#, "rules[0].type"),
            (#"{"name":"x","rules":[{"type":"min_tests","params":{"threshold":1,"color":"red"}}]}"#, "rules[0].params.color"),
            (#"{"name":"x","rules":[{"type":"required_tests","params":{"tests":[]}}]}"#, "rules[0].params.tests"),
            (#"{"name":"x","rules":[{"type":"max_flaky","params":{"threshold":2,"unit":"ratio"}}]}"#, "rules[0].params.unit"),
            (#"{"name":"","rules":[]}"#, "name"),
            (#"{"name":"x"}"#, "rules"),
        ]
        for (body, field) in cases {
            let response = await create(project, body)
            XCTAssertEqual(response.status, 400, "\(body): \(response.text)")
            XCTAssertTrue(response.json["error"]?["message"]?.stringValue?.hasPrefix(field) == true, "\(field) named in \(response.text)")
        }
        let body = #"{"name":"main","rules":[{"type":"max_flaky","params":{"threshold":2,"unit":"percent"}}]}"#
        let first = await create(project, body)
        XCTAssertEqual(first.status, 201, first.text)
        let again = await create(project, body)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json, first.json, "the same gate again is the gate as it is")
        let other = await create(project, #"{"name":"main","rules":[]}"#)
        XCTAssertEqual(other.status, 409)
        XCTAssertEqual(other.errorCode, "gate_exists")
        let list = await harness.call(ListGates(), "/x", pathParameters: ["project": project], key: team.key)
        XCTAssertEqual(list.json["gates"]?.arrayValue?.count, 1)
        XCTAssertEqual(list.json["gates"]?.arrayValue?.first?["rules"]?.arrayValue?.first?["params"]?["unit"]?.stringValue, "percent")
        let id = try XCTUnwrap(first.json["id"]?.stringValue)
        let stranger = try TestDatabase.team(db)
        let foreign = await harness.call(
            DeleteGate(), "/x", method: "DELETE", pathParameters: ["project": project, "gate": id], key: stranger.key)
        XCTAssertEqual(foreign.status, 404, foreign.text)
        let deleted = await harness.call(
            DeleteGate(), "/x", method: "DELETE", pathParameters: ["project": project, "gate": id], key: team.key)
        XCTAssertEqual(deleted.status, 204, deleted.text)
        let gone = await harness.call(ListGates(), "/x", pathParameters: ["project": project], key: team.key)
        XCTAssertEqual(gone.json["gates"]?.arrayValue?.count, 0)
    }

    func testARunWithoutGatesPassesAndAnotherTeamCannotEvaluateIt() async throws {
        let runID = try run(project: "ungated-\(UUID().uuidString.prefix(8))", passing: 1, failing: ["x"])
        let verdict = await evaluate(runID)
        XCTAssertEqual(verdict.status, 200, verdict.text)
        XCTAssertEqual(verdict.json["passed"]?.boolValue, true)
        XCTAssertEqual(verdict.json["gates"]?.arrayValue?.count, 0)
        let stranger = try TestDatabase.team(db)
        let foreign = await harness.call(EvaluateRunGates(), "/x", method: "POST", pathParameters: ["id": runID.text], key: stranger.key)
        XCTAssertEqual(foreign.status, 404, foreign.text)
    }

    func testGatesJudgeARunWhenItCompletes() async throws {
        let project = "gated-orchestra-\(UUID().uuidString.prefix(8))"
        // The project exists once a run names it; the gate comes before the orchestrated run.
        _ = try run(project: project, passing: 1)
        let gate = await create(project, #"{"name":"no failures","rules":[{"type":"max_failures","params":{"threshold":0}}]}"#)
        XCTAssertEqual(gate.status, 201, gate.text)
        let begun = await harness.call(
            BeginOrchestration(), "/x", method: "POST", key: team.key,
            body: "{\"project\":\"\(project)\",\"ci_run_id\":\"\(UUID().uuidString)\",\"units\":[\"a\"]}")
        let runID = try XCTUnwrap(begun.json["run_id"]?.stringValue)
        let grant = await harness.call(
            CheckoutUnits(), "/x", method: "POST", key: team.key, body: "{\"run_id\":\"\(runID)\",\"worker\":\"w\"}")
        let lease = try XCTUnwrap(grant.json["lease_id"]?.stringValue)
        let done = await harness.call(
            CompleteLease(), "/x", method: "POST", key: team.key,
            body:
                "{\"run_id\":\"\(runID)\",\"worker\":\"w\",\"lease_id\":\"\(lease)\",\"results\":[{\"unit\":\"a\",\"status\":\"passed\"}]}")
        XCTAssertEqual(done.status, 200, done.text)
        let stored = await harness.call(GetRunGates(), "/x", pathParameters: ["id": runID], key: team.key)
        XCTAssertEqual(stored.json["gates"]?.arrayValue?.count, 1, "judged at completion: \(stored.text)")
        XCTAssertEqual(stored.json["passed"]?.boolValue, true)
    }

    func testNewFailuresAndNewCausesAreJudgedAgainstTheDefaultBase() async throws {
        let project = "gated-compare-\(UUID().uuidString.prefix(8))"
        _ = try run(project: project, passing: 5)
        let head = try run(project: project, passing: 4, failing: ["checkout \(UUID().uuidString.prefix(6))"])
        let comparison = await harness.call(CompareRuns(), "/x", query: "head=\(head.text)", key: team.key)
        XCTAssertEqual(comparison.status, 200, comparison.text)
        XCTAssertEqual(comparison.json["summary"]?["new_clusters"]?.intValue, 1, comparison.text)
        XCTAssertEqual(comparison.json["new_clusters"]?.arrayValue?.first?["new"]?.boolValue, true)
        let gate = await create(
            project,
            #"{"name":"no regressions","rules":[{"type":"no_new_failures"},{"type":"duration_regression_pct","params":{"threshold":50}}]}"#)
        XCTAssertEqual(gate.status, 201, gate.text)
        let verdict = await evaluate(head)
        let rules = verdict.json["gates"]?.arrayValue?.first?["rules"]?.arrayValue ?? []
        XCTAssertEqual(rules.first?["actual"]?.doubleValue, 1, verdict.text)
        XCTAssertEqual(rules.first?["passed"]?.boolValue, false)
        XCTAssertEqual(rules.last?["passed"]?.boolValue, true, "no test got slower")
    }
}
