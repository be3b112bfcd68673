import VerdictJSON
import XCTest

@testable import VerdictCLIKit

final class BackoffTests: XCTestCase {
    func testTheScheduleDoublesWithinItsJitterAndStopsAtTheCap() {
        let backoff = Backoff(retries: 8)
        for retry in 1...8 {
            let step = min(30, 0.5 * Double(1 << (retry - 1)))
            XCTAssertEqual(backoff.delay(beforeRetry: retry, unit: 0), step / 2, "retry \(retry), least")
            XCTAssertEqual(backoff.delay(beforeRetry: retry, unit: 0.999_999), step, accuracy: 1e-4, "retry \(retry), most")
        }
        XCTAssertEqual(backoff.delay(beforeRetry: 7, unit: 1), 30)
        XCTAssertEqual(backoff.delay(beforeRetry: 60, unit: 1), 30, "no overflow far out")
        let total = (1...5).map { Backoff().delay(beforeRetry: $0, unit: 1) }.reduce(0, +)
        XCTAssertEqual(total, 15.5, "the documented worst case of the default five retries")
    }

    func testRetryAfterIsHonouredUpToTheCap() {
        let backoff = Backoff()
        XCTAssertEqual(backoff.delay(beforeRetry: 1, unit: 0, retryAfter: "7"), 7)
        XCTAssertEqual(backoff.delay(beforeRetry: 1, unit: 0, retryAfter: "3600"), 30)
        XCTAssertEqual(backoff.delay(beforeRetry: 3, unit: 1, retryAfter: "1"), 2, "never shorter than the backoff")
        XCTAssertEqual(backoff.delay(beforeRetry: 1, unit: 0, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"), 0.25)
    }
}

final class APIClientTests: XCTestCase {
    let ok = HTTPReply.json(200, ["run_id": "r1"])

    func testServerErrorsAndConnectionFailuresAreRetriedWithBackoff() throws {
        let transport = ScriptedTransport([
            .reply(.json(503, ["error": ["code": "database_unavailable", "message": "down"]])),
            .fail(TransportError("curl error 7: refused", retryable: true)), .reply(.json(429, [:], headers: ["retry-after": "4"])),
            .reply(ok),
        ])
        let recorder = PauseRecorder()
        let (status, json) = try recorder.client(transport).call("POST", "/api/v1/reports/begin", json: ["project": "p"])
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["run_id"]?.stringValue, "r1")
        XCTAssertEqual(recorder.pauses, [0.375, 0.75, 4])
        XCTAssertEqual(transport.requests.count, 4)
        let first = transport.requests[0]
        XCTAssertEqual(first.url, "http://api.test/api/v1/reports/begin")
        XCTAssertTrue(first.headers.contains { $0 == ("X-API-Key", "vd_key") })
        XCTAssertTrue(first.headers.contains { $0 == ("Content-Type", "application/json") })
        XCTAssertEqual(first.body, .bytes(Array(#"{"project":"p"}"#.utf8)))
    }

    func testClientErrorsAreFinalAndCarryTheAPIsCode() {
        let transport = ScriptedTransport([
            .reply(.json(409, ["error": ["code": "units_mismatch", "message": "the run has other units"]])), .reply(ok),
        ])
        let recorder = PauseRecorder()
        XCTAssertThrowsError(try recorder.client(transport).call("POST", "/api/v1/orchestration/begin", json: [:])) { error in
            let apiError = error as! APIError
            XCTAssertEqual(apiError.kind, .status(409, code: "units_mismatch"))
            XCTAssertEqual(apiError.message, "POST /api/v1/orchestration/begin: HTTP 409 units_mismatch: the run has other units")
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(recorder.pauses, [])
    }

    func testRetriesAreBounded() {
        let transport = ScriptedTransport(Array(repeating: .fail(TransportError("timed out", retryable: true)), count: 10))
        let recorder = PauseRecorder()
        XCTAssertThrowsError(try recorder.client(transport, retries: 3).call("GET", "/api/v1/runs/x")) { error in
            XCTAssertEqual((error as! APIError).kind, .unreachable)
            XCTAssertEqual((error as! APIError).message, "GET /api/v1/runs/x: timed out (after 4 tries)")
        }
        XCTAssertEqual(transport.requests.count, 4)

        let failing = ScriptedTransport(Array(repeating: .reply(.json(502, [:])), count: 10))
        XCTAssertThrowsError(try PauseRecorder().client(failing, retries: 2).call("GET", "/x")) { error in
            XCTAssertEqual((error as! APIError).status, 502, "the last answer, once retries run out")
        }
        XCTAssertEqual(failing.requests.count, 3)
    }

    func testProblemsNoRetryFixesAndInterruptionsStopAtOnce() {
        let malformed = ScriptedTransport([.fail(TransportError("URL using bad/illegal format", retryable: false)), .reply(ok)])
        XCTAssertThrowsError(try PauseRecorder().client(malformed).call("GET", "/x"))
        XCTAssertEqual(malformed.requests.count, 1)

        let recorder = PauseRecorder()
        recorder.allow = false
        let busy = ScriptedTransport([.reply(.json(503, [:])), .reply(ok)])
        XCTAssertThrowsError(try recorder.client(busy).call("GET", "/x")) { error in
            XCTAssertEqual((error as! APIError).kind, .interrupted)
        }
        XCTAssertEqual(busy.requests.count, 1)
    }

    func testNonJSONAnswersAndGatewayErrors() {
        XCTAssertThrowsError(
            try PauseRecorder().client(ScriptedTransport([.reply(HTTPReply(status: 200, body: Array("<html>".utf8)))])).call("GET", "/x")
        ) {
            XCTAssertEqual(($0 as! APIError).kind, .invalidResponse)
        }
        let notFound = APIClient.error(from: .json(404, ["message": "Not Found"]), what: "GET /x")
        XCTAssertEqual(notFound.message, "GET /x: HTTP 404 Not Found")
        XCTAssertNil(notFound.code)
        XCTAssertEqual(APIClient.segment("a b/ü"), "a%20b%2F%C3%BC")
    }
}

final class OrchestrationAPITests: XCTestCase {
    func testCheckoutAnswers() throws {
        let transport = ScriptedTransport([
            .reply(
                .json(
                    200,
                    [
                        "lease_id": "l1", "deadline": "2026-05-01T12:00:00.5Z", "done": false,
                        "units": [["id": "a.spec.ts", "attempt": 2, "retest": true]],
                    ])),
            .reply(.json(200, ["units": [], "done": false, "retry_after_ms": 2500])), .reply(.json(200, ["units": [], "done": true])),
        ])
        let api = OrchestrationAPI(client: PauseRecorder().client(transport))
        XCTAssertEqual(
            try api.checkout(runID: "r", worker: "w"),
            .lease(Lease(id: "l1", deadline: 1_777_636_800.5, units: [LeasedUnit(id: "a.spec.ts", attempt: 2, retest: true)])))
        XCTAssertEqual(try api.checkout(runID: "r", worker: "w"), .wait(milliseconds: 2500))
        XCTAssertEqual(try api.checkout(runID: "r", worker: "w"), .done)
        XCTAssertEqual(String(decoding: transport.requests[0].bodyBytes, as: UTF8.self), #"{"run_id":"r","worker":"w"}"#)
    }

    func testBeginSendsIdentityUnitsAndOnlyTheOptionsGiven() throws {
        let transport = ScriptedTransport([.reply(.json(200, ["run_id": "r9", "status": "running", "units_total": 2]))])
        let begun = try OrchestrationAPI(client: PauseRecorder().client(transport)).begin(
            identity: RunIdentity(project: "shop", commit: "abcdef1", ciRunID: "7"),
            units: [UnitSpec(id: "a.spec.ts", weightMs: 1200), UnitSpec(id: "b.spec.ts")],
            options: OrchestrationOptions(leaseSeconds: 120, failFast: true))
        XCTAssertEqual(begun, OrchestrationAPI.Begun(runID: "r9", unitsTotal: 2, created: false))
        XCTAssertEqual(
            String(decoding: transport.requests[0].bodyBytes, as: UTF8.self),
            #"{"project":"shop","commit":"abcdef1","ci_run_id":"7","units":[{"id":"a.spec.ts","weight_ms":1200},{"id":"b.spec.ts"}],"#
                + #""lease_seconds":120,"fail_fast":true}"#)
    }

    func testRFC3339() {
        XCTAssertEqual(RFC3339.seconds("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(RFC3339.seconds("2026-05-01T14:00:00.25+02:00"), 1_777_636_800.25)
        XCTAssertEqual(RFC3339.seconds("2000-02-29T23:59:59z"), 951_868_799)
        XCTAssertNil(RFC3339.seconds("2026-05-01T12:00:00"))
        XCTAssertNil(RFC3339.seconds("2026-13-01T12:00:00Z"))
        XCTAssertNil(RFC3339.seconds("yesterday"))
    }
}

extension HTTPRequest {
    var bodyBytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }
}

final class StatusTests: XCTestCase {
    let run: JSON = [
        "id": "r", "status": "completed", "project": "shop", "branch": "", "commit": "0123456789abcdef",
        "totals": ["tests": 3, "passed": 3, "failed": 0, "errors": 0], "reports_completed": 4, "total_reports_expected": 1,
    ]

    func testExitStatusFollowsFailuresThenCompletion() {
        XCTAssertEqual(StatusCommand.exitStatus(run: run, orchestration: nil), ExitStatus.success)
        var running = run
        if case .object(var object) = running { object["status"] = "running"; running = .object(object) }
        XCTAssertEqual(StatusCommand.exitStatus(run: running, orchestration: nil), ExitStatus.notFinished)
        XCTAssertEqual(
            StatusCommand.exitStatus(run: run, orchestration: ["status": "cancelled", "counts": ["failed": 0]]), ExitStatus.notFinished)
        XCTAssertEqual(
            StatusCommand.exitStatus(run: running, orchestration: ["status": "running", "counts": ["errored": 1]]), ExitStatus.testsFailed)
        XCTAssertEqual(
            StatusCommand.exitStatus(run: run, orchestration: ["status": "completed", "counts": ["flaky": 2]]), ExitStatus.success)
    }

    func testTheSummaryLeavesOutEmptyFieldsAndCountsReportsOfAnOrchestrationPlainly() {
        let lines = StatusCommand.describe(
            run: run,
            orchestration: [
                "status": "completed", "counts": ["passed": 1, "failed": 1],
                "units": [["id": "a.py", "state": "failed"], ["id": "b.py", "state": "passed"]],
                "workers": [["worker": "w"]],
            ], page: "http://x/runs/r")
        XCTAssertEqual(
            lines,
            [
                "run r: completed (shop, 0123456789ab)", "tests: 3: 3 passed, 0 failed, 0 errors, 0 flaky, 0 skipped",
                "reports: 4 completed",
                "units: completed: 1 passed, 1 failed", "  failed: a.py", "workers: 1", "http://x/runs/r",
            ])
        XCTAssertEqual(StatusCommand.describe(run: run, orchestration: nil, page: "p")[2], "reports: 4 of 1 completed")
    }
}
