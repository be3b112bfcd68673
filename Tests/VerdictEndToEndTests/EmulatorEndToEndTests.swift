import Foundation
import XCTest

/// The emulator itself, driven through the fixture function: routing, payload 2.0, the
/// Runtime API's response/error/init-error paths, timeouts, crashes, limits, the Invoke API,
/// schedules and clean shutdown. Every request reaches a real handler process.
final class EmulatorEndToEndTests: FixtureEmulatorTestCase {
    var base: String { Self.emulator.baseURL }

    func invoke(_ function: String, _ payload: String, type: String? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        var all = headers
        if let type { all["X-Amz-Invocation-Type"] = type }
        return try await HTTPClient.send(
            "POST", "\(base)/2015-03-31/functions/\(function)/invocations", headers: all, body: Data(payload.utf8))
    }

    // MARK: HTTP API

    func testPayloadFormat2RoundTrip() async throws {
        let response = try await HTTPClient.send(
            "POST", "\(base)/fixture/echo/a%20b?x=1&y=two&x=3",
            headers: ["Content-Type": "application/json", "Cookie": "session=abc; theme=dark", "X-Custom": "Value"],
            body: Data(#"{"hello":"world"}"#.utf8))
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.headers["x-fixture"], "yes")
        XCTAssertEqual(response.headers["set-cookie"], "fixture=1; Path=/")
        let echo = try response.json()
        XCTAssertEqual(echo["method"] as? String, "POST")
        XCTAssertEqual(echo["path"] as? String, "/fixture/echo/a%20b")
        XCTAssertEqual(echo["query"] as? String, "x=1&y=two&x=3")
        XCTAssertEqual(echo["route_key"] as? String, "ANY /fixture/{proxy+}")
        XCTAssertEqual(echo["cookies"] as? [String], ["session=abc", "theme=dark"])
        XCTAssertEqual((echo["headers"] as? [String: String])?["x-custom"], "Value")
        XCTAssertEqual((echo["path_parameters"] as? [String: String])?["proxy"], "echo/a b")
        XCTAssertEqual(Data(base64Encoded: echo["body_base64"] as? String ?? ""), Data(#"{"hello":"world"}"#.utf8))
    }

    func testBinaryBodiesTravelBase64() async throws {
        let bytes = Data([0, 255, 1, 254, 10, 13])
        let response = try await HTTPClient.send(
            "PUT", "\(base)/fixture/echo", headers: ["Content-Type": "application/octet-stream"], body: bytes)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(Data(base64Encoded: try response.json()["body_base64"] as? String ?? ""), bytes)
        let binary = try await HTTPClient.send("GET", "\(base)/fixture/binary")
        XCTAssertEqual(binary.body, Data([0, 1, 2, 255, 254]))
    }

    func testRouteSpecificity() async throws {
        let exact = try await HTTPClient.send("GET", "\(base)/fixture/items/special")
        XCTAssertEqual(try exact.json()["route_key"] as? String, "GET /fixture/items/special")
        let parameter = try await HTTPClient.send("GET", "\(base)/fixture/items/42")
        XCTAssertEqual(try parameter.json()["route_key"] as? String, "GET /fixture/items/{id}")
        XCTAssertEqual((try parameter.json()["path_parameters"] as? [String: String])?["id"], "42")
        let greedy = try await HTTPClient.send("POST", "\(base)/fixture/items/42")
        XCTAssertEqual(try greedy.json()["route_key"] as? String, "ANY /fixture/{proxy+}", "GET-only routes do not take a POST")
        let deeper = try await HTTPClient.send("GET", "\(base)/fixture/items/42/more")
        XCTAssertEqual(try deeper.json()["route_key"] as? String, "ANY /fixture/{proxy+}")
    }

    func testFiftyConcurrentRequestsAreAllAnswered() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 {
                group.addTask { try await HTTPClient.send("GET", "\(self.base)/fixture/sleep/\(100 + index % 5)").status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses.count, 50)
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 50, "\(statuses)")
    }

    func testCrashGives502ThenHealthy() async throws {
        let crash = try await HTTPClient.send("GET", "\(base)/fixture/crash")
        XCTAssertEqual(crash.status, 502)
        XCTAssertEqual(crash.errorCode(), "function_crashed")
        XCTAssertTrue(crash.text.contains("exit status 42"), crash.text)
        let after = try await HTTPClient.send("GET", "\(base)/fixture/echo")
        XCTAssertEqual(after.status, 200)
    }

    func testTimeoutGives504AndAFreshProcess() async throws {
        let before = try await HTTPClient.send("GET", "\(base)/fixture/echo")
        let timedOut = try await HTTPClient.send("GET", "\(base)/fixture/sleep/5000")
        XCTAssertEqual(timedOut.status, 504)
        XCTAssertEqual(timedOut.errorCode(), "function_timeout")
        let after = try await HTTPClient.send("GET", "\(base)/fixture/echo")
        XCTAssertEqual(after.status, 200)
        XCTAssertNotNil(try before.json()["context"])
        XCTAssertFalse(Self.emulator.lines(containing: "Status: timeout after 3 s").isEmpty)
    }

    func testHandlerErrorGives502() async throws {
        let response = try await HTTPClient.send("GET", "\(base)/fixture/fail")
        XCTAssertEqual(response.status, 502)
        XCTAssertEqual(response.errorCode(), "function_error")
        XCTAssertTrue(response.text.contains("the fixture was asked to fail"))
    }

    func testInitErrorGives502() async throws {
        let response = try await HTTPClient.send("GET", "\(base)/broken")
        XCTAssertEqual(response.status, 502)
        XCTAssertEqual(response.errorCode(), "function_init_failed")
        XCTAssertTrue(response.text.contains("FIXTURE_INIT_FAIL"), response.text)
        let invoked = try await invoke("BrokenFunction", "{}")
        XCTAssertEqual(invoked.headers["x-amz-function-error"], "Unhandled")
        XCTAssertEqual(try invoked.json()["errorType"] as? String, "Runtime.InitError")
    }

    func testPayloadLimits() async throws {
        let huge = Data(repeating: UInt8(ascii: "a"), count: 6 * 1024 * 1024 + 10)
        let request = try await HTTPClient.send("POST", "\(base)/fixture/echo", headers: ["Content-Type": "text/plain"], body: huge)
        XCTAssertEqual(request.status, 413)
        XCTAssertEqual(request.errorCode(), "payload_too_large")
        let response = try await HTTPClient.send("GET", "\(base)/fixture/big/7000000")
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorCode(), "response_too_large")
        let fine = try await HTTPClient.send("GET", "\(base)/fixture/big/1000000")
        XCTAssertEqual(fine.status, 200)
        XCTAssertEqual(fine.body.count, 1_000_000)
    }

    // MARK: Runtime API, seen from the handler

    func testRuntimeContextAndDeadlineHeaders() async throws {
        let started = Date().timeIntervalSince1970 * 1000
        let response = try await invoke(
            "FixtureFunction", #"{"action":"echo"}"#,
            headers: ["X-Amz-Client-Context": Data(#"{"custom":{"k":"v"}}"#.utf8).base64EncodedString()])
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertNil(response.headers["x-amz-function-error"])
        let json = try response.json()
        XCTAssertEqual((json["payload"] as? [String: Any])?["action"] as? String, "echo")
        let context = try XCTUnwrap(json["context"] as? [String: Any])
        let deadline = try XCTUnwrap(context["deadline_ms"] as? Double)
        XCTAssertEqual(deadline, started + 3000, accuracy: 1500, "deadline is now + the 3 s template timeout")
        XCTAssertLessThanOrEqual(context["remaining_ms"] as? Int ?? 99999, 3000)
        XCTAssertEqual(context["function_arn"] as? String, "arn:aws:lambda:us-east-1:000000000000:function:FixtureFunction")
        let trace = try XCTUnwrap(context["trace_id"] as? String)
        XCTAssertTrue(trace.hasPrefix("Root=1-"))
        XCTAssertEqual(context["trace_id_env"] as? String, trace, "the runtime exports _X_AMZN_TRACE_ID")
        XCTAssertEqual(context["client_context"] as? String, #"{"custom":{"k":"v"}}"#)
        XCTAssertEqual(response.headers["x-amz-executed-version"], "$LATEST")
    }

    func testInvokeReportsFunctionErrors() async throws {
        let response = try await invoke("FixtureFunction", #"{"action":"fail"}"#)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["x-amz-function-error"], "Unhandled")
        let json = try response.json()
        XCTAssertEqual(json["errorType"] as? String, "FixtureError")
        XCTAssertEqual(json["errorMessage"] as? String, "the fixture was asked to fail")
        XCTAssertNotNil(json["stackTrace"] as? [Any])
        // The process keeps serving after an error.
        let next = try await invoke("FixtureFunction", #"{"action":"echo"}"#)
        XCTAssertNil(next.headers["x-amz-function-error"])
    }

    func testInvokeEventAndDryRun() async throws {
        let marker = UUID().uuidString
        let queued = try await invoke("ScheduledFunction", #"{"marker":"\#(marker)"}"#, type: "Event")
        XCTAssertEqual(queued.status, 202)
        let deadline = Date().addingTimeInterval(10)
        var delivered = false
        while Date() < deadline && !delivered {
            delivered = (try? String(contentsOfFile: Self.eventLog, encoding: .utf8))?.contains(marker) ?? false
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertTrue(delivered, "the asynchronous invocation never reached the function")
        let dry = try await invoke("FixtureFunction", "{}", type: "DryRun")
        XCTAssertEqual(dry.status, 204)
        let missing = try await invoke("NoSuchFunction", "{}")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.headers["x-amzn-errortype"], "ResourceNotFoundException")
        let badType = try await invoke("FixtureFunction", "{}", type: "Sometimes")
        XCTAssertEqual(badType.status, 400)
    }

    func testReportLinesAndHandlerLogs() async throws {
        let response = try await HTTPClient.send("GET", "\(base)/fixture/echo")
        let requestID = try XCTUnwrap((try response.json()["context"] as? [String: Any])?["request_id"] as? String)
        let report = try Self.emulator.waitForOutput(matching: "REPORT RequestId: \(requestID)")
        XCTAssertTrue(report.contains("Function: FixtureFunction"))
        XCTAssertTrue(report.contains("Duration: "))
        try Self.emulator.waitForOutput(matching: "[FixtureFunction] fixture handling \(requestID)")
        XCTAssertFalse(Self.emulator.lines(containing: "Init Duration: ").isEmpty, "cold starts report their init duration")
    }

    // MARK: Schedules

    func testScheduleFiresOnDemand() async throws {
        let listed = try await HTTPClient.send("GET", "\(base)/_emulator/schedules")
        let schedules = try XCTUnwrap(try listed.json()["schedules"] as? [[String: Any]])
        XCTAssertEqual(schedules.first?["name"] as? String, "ScheduledFunction.EveryMinute")
        XCTAssertNotNil(schedules.first?["next_fire"] as? String)
        let fired = try await HTTPClient.send("POST", "\(base)/_emulator/schedules/ScheduledFunction.EveryMinute/fire")
        XCTAssertEqual(fired.status, 200, fired.text)
        let payload = try XCTUnwrap(try fired.json()["payload"] as? [String: Any])
        XCTAssertEqual(payload["detail-type"] as? String, "Scheduled Event")
        XCTAssertEqual(payload["source"] as? String, "aws.events")
        XCTAssertFalse(Self.emulator.lines(containing: "EveryMinute (cron(* * * * ? *)) fired on demand").isEmpty)
        let unknown = try await HTTPClient.send("POST", "\(base)/_emulator/schedules/Nope/fire")
        XCTAssertEqual(unknown.status, 404)
    }

    /// Runs last (XCTest orders by name): by then the emulator has been up for a while, so the
    /// every-minute cron is due within a minute at most.
    func testZScheduleFiresOnTime() throws {
        let line = try Self.emulator.waitForOutput(
            matching: "SCHEDULE ScheduledFunction.EveryMinute (cron(* * * * ? *)) fired on time", timeout: 75)
        XCTAssertTrue(line.contains("RequestId: "))
    }
}

/// Stopping the emulator stops every handler process it started.
final class EmulatorShutdownTests: XCTestCase {
    func testSigtermLeavesNoHandlerProcesses() async throws {
        let emulator = try EmulatorProcess(template: "Tests/Fixtures/test-template.yaml", arguments: ["--no-schedules"])
        var pids: Set<Int> = []
        try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let response = try await HTTPClient.send("GET", "\(emulator.baseURL)/fixture/sleep/200")
                    return (try response.json()["context"] as? [String: Any])?["pid"] as? Int
                }
            }
            for try await pid in group { if let pid { pids.insert(pid) } }
        }
        XCTAssertFalse(pids.isEmpty)
        for pid in pids { XCTAssertEqual(kill(pid_t(pid), 0), 0, "handler \(pid) should be running") }
        emulator.stop()
        XCTAssertEqual(emulator.process.terminationStatus, 0)
        try await Task.sleep(nanoseconds: 200_000_000)
        for pid in pids {
            XCTAssertEqual(kill(pid_t(pid), 0), -1, "handler \(pid) outlived the emulator")
        }
    }
}
