import HTTPContract
import LambdaRuntime
import Logging
import VerdictAPI
import VerdictJSON
import VerdictTestSupport
import XCTest

@testable import VerdictCore

/// The runner admits callers by the endpoint's declared policy and hands dependencies through
/// the context: missing ones are clear 503s, never a crash or a silent default.
final class ContextTests: XCTestCase {
    func testAKeyIsRequiredWhereThePolicySaysSoAndItsScopeIsChecked() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let readOnly = try APIKeyService(db: db).create(for: team.access, name: "reader", scopes: [.read])
        let harness = HandlerHarness()

        let none = await harness.call(
            BeginRun(), "/api/v1/reports/begin", method: "POST", body: #"{"project":"p","total_reports_expected":1}"#)
        XCTAssertEqual(none.status, 401)
        XCTAssertEqual(none.errorCode, "unauthorized")
        XCTAssertEqual(none.http.header("www-authenticate"), "Bearer")
        let weak = await harness.call(
            BeginRun(), "/api/v1/reports/begin", method: "POST", key: readOnly.secret, body: #"{"project":"p","total_reports_expected":1}"#)
        XCTAssertEqual(weak.status, 403)
        XCTAssertEqual(weak.errorCode, "forbidden")
        let admin = await harness.call(ListAPIKeys(), "/api/v1/keys", key: readOnly.secret)
        XCTAssertEqual(admin.errorCode, "forbidden")

        // A public read with a wrong key is refused, not quietly served as anonymous.
        let typo = await harness.call(ListRuns(), "/api/v1/runs", key: team.key + "x")
        XCTAssertEqual(typo.status, 401)
        let anonymous = await harness.call(ListRuns(), "/api/v1/runs")
        XCTAssertEqual(anonymous.status, 200, anonymous.text)
    }

    func testCINumbersAreAcceptedWhereCISystemsSendThem() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let harness = HandlerHarness()
        let project = "numbers-\(UUID().uuidString.prefix(8))"
        let begun = await harness.call(
            BeginRun(), "/api/v1/reports/begin", method: "POST", key: team.key,
            body: #"{"project":"\#(project)","ci_run_id":987654321,"ci_run_attempt":2,"total_reports_expected":2}"#)
        XCTAssertEqual(begun.status, 201, begun.text)
        let again = await harness.call(
            BeginRun(), "/api/v1/reports/begin", method: "POST", key: team.key,
            body: #"{"project":"\#(project)","ci_run_id":"987654321","ci_run_attempt":"2","total_reports_expected":2}"#)
        XCTAssertEqual(again.status, 200, "a number and its text are the same identity: \(again.text)")
        XCTAssertEqual(again.json["run_id"], begun.json["run_id"])
        let runID = try XCTUnwrap(begun.json["run_id"]?.stringValue)
        let file = #"{"name":"r.xml","kind":"report","size":10,"sha256":"\#(String(repeating: "a", count: 64))"}"#
        let registered = await harness.call(
            RegisterReport(), "/api/v1/reports/register", method: "POST", key: team.key,
            body: #"{"run_id":"\#(runID)","shard":1,"files":[\#(file)]}"#)
        XCTAssertEqual(registered.status, 201, registered.text)
        XCTAssertEqual(registered.json["shard"]?.stringValue, "1")
        let fractional = await harness.call(
            RegisterReport(), "/api/v1/reports/register", method: "POST", key: team.key,
            body: #"{"run_id":"\#(runID)","shard":1.5,"files":[\#(file)]}"#)
        XCTAssertEqual(fractional.errorCode, "invalid_parameter")
        XCTAssertTrue(fractional.text.contains("shard"), fractional.text)
        let unknown = await harness.call(
            RegisterReport(), "/api/v1/reports/register", method: "POST", key: team.key,
            body: #"{"run_id":"\#(runID)","shard":2,"shards":3,"files":[\#(file)]}"#)
        XCTAssertEqual(unknown.errorCode, "invalid_parameter", "unknown fields stay errors")
    }

    /// Names are bounded in code points, as the columns' CHECKs and the OpenAPI maxLength
    /// count them: letters heavy with combining marks are few characters but many code points.
    func testNameLimitsCountCodePointsNotGraphemes() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let harness = HandlerHarness()
        let zalgo = String(repeating: "e\u{0301}\u{0316}\u{0317}", count: 60)
        XCTAssertEqual(zalgo.count, 60)
        let refused = await harness.call(
            CreateAPIKey(), "/api/v1/keys", method: "POST", key: team.key,
            body: #"{"name":"\#(zalgo)","scopes":["read"],"expires_at":"4019-10-08T01:20:44.4-04:33"}"#)
        XCTAssertEqual(refused.status, 400, refused.text)
        XCTAssertEqual(refused.errorCode, "invalid_parameter")
        XCTAssertTrue(refused.text.contains("name"), refused.text)
        let fits = String(repeating: "e\u{0301}", count: 100)
        let created = await harness.call(
            CreateAPIKey(), "/api/v1/keys", method: "POST", key: team.key,
            body: #"{"name":"\#(fits)","scopes":["read"],"expires_at":"4019-10-08T01:20:44.4-04:33"}"#)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json["name"]?.stringValue, fits)
    }

    func testAMissingDatabaseOrBucketIsA503ThatSaysWhich() async throws {
        let noDatabase = HandlerHarness(
            resources: FunctionResources(
                settings: FunctionSettings(functionName: "t", databaseURL: nil), objectStore: .success(HandlerHarness.signingOnlyStore)))
        let runs = await noDatabase.call(ListRuns(), "/api/v1/runs")
        XCTAssertEqual(runs.status, 503)
        XCTAssertEqual(runs.errorCode, "database_unavailable")
        XCTAssertTrue(runs.text.contains("DATABASE_URL"), runs.text)
        let ready = await noDatabase.call(Ready(), "/ready")
        XCTAssertEqual(ready.errorCode, "not_ready")
        let health = await noDatabase.call(Health(), "/health")
        XCTAssertEqual(health.status, 200, "liveness needs no database")

        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let noBucket = HandlerHarness(objectStore: .failure(.configuration("ARTIFACTS_BUCKET is not set")))
        let lines = CollectedLines()
        let upload = await noBucket.call(
            UploadReport(), "/api/v1/reports", method: "POST", query: "project=p", key: team.key, body: "<testsuite/>", log: lines)
        XCTAssertEqual(upload.status, 503)
        XCTAssertEqual(upload.errorCode, "storage_unavailable")
        XCTAssertTrue(upload.text.contains("ARTIFACTS_BUCKET"), upload.text)
        XCTAssertTrue(lines.all.contains { $0.contains("object store unavailable") }, "a configuration error is logged: \(lines.all)")
    }

    func testEveryLogLineIsJSONWithTheRequestIDFunctionAndLevel() async throws {
        let lines = CollectedLines()
        let harness = HandlerHarness(
            resources: FunctionResources(
                settings: FunctionSettings(functionName: "runs-list", databaseURL: nil),
                objectStore: .success(HandlerHarness.signingOnlyStore)))
        let response = await harness.call(ListRuns(), "/api/v1/runs", requestID: "req-42", log: lines)
        XCTAssertEqual(response.status, 503)
        let line = try XCTUnwrap(lines.all.first, "a 5xx is logged")
        let object = try JSON.parse(Array(line.utf8))
        XCTAssertEqual(object["level"]?.stringValue, "error")
        XCTAssertEqual(object["request_id"]?.stringValue, "req-42")
        XCTAssertEqual(object["function"]?.stringValue, "runs-list")
        XCTAssertEqual(object["code"]?.stringValue, "database_unavailable")
        XCTAssertNotNil(object["timestamp"]?.stringValue)
        XCTAssertEqual(object["route"]?.stringValue, "GET /api/v1/runs")
    }
}
