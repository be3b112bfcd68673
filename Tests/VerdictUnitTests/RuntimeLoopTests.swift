import Foundation
import LambdaRuntime
import Logging
import VerdictJSON
import VerdictTestSupport
import XCTest

/// The Runtime API loop driven by a client of the test's own: no environment, no process exit.
final class RuntimeLoopTests: XCTestCase {
    struct Exhausted: Error {}

    /// Hands out scripted invocations, records what the loop posts back, then ends the loop.
    final class ScriptedClient: RuntimeClient, @unchecked Sendable {
        var pending: [RuntimeAPIClient.Invocation]
        var responses: [(String, [UInt8])] = []
        var errors: [(String, LambdaError)] = []

        init(_ payloads: [String]) {
            pending = payloads.enumerated().map { index, payload in
                RuntimeAPIClient.Invocation(
                    context: LambdaContext(requestID: "req-\(index)", deadlineMilliseconds: 0, invokedFunctionARN: "arn"),
                    payload: Array(payload.utf8))
            }
        }

        func next() throws(Exhausted) -> RuntimeAPIClient.Invocation {
            guard !pending.isEmpty else { throw Exhausted() }
            return pending.removeFirst()
        }
        func postResponse(requestID: String, payload: [UInt8]) throws(Exhausted) { responses.append((requestID, payload)) }
        func postError(requestID: String, error: LambdaError) throws(Exhausted) { errors.append((requestID, error)) }
        func postInitError(_ error: LambdaError) throws(Exhausted) {}
    }

    struct Echo: LambdaHandler {
        var served = 0
        var requestIDs: [String] = []

        mutating func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8] {
            served += 1
            requestIDs.append(context.requestID)
            context.logger.info("handled")
            if payload == Array("fail".utf8) { throw LambdaError(type: "Boom", message: "asked to fail") }
            if payload == Array("huge".utf8) { return [UInt8](repeating: 0x61, count: RuntimeAPIClient.maxResponseBytes + 1) }
            return payload.reversed()
        }
    }

    func testTheLoopServesEachInvocationAndReportsFailuresWithoutStopping() async throws {
        let client = ScriptedClient(["abc", "fail", "huge", "xy"])
        var handler = Echo()
        let lines = CollectedLines()
        let logger = FunctionIdentity(name: "echo").makeLogger { lines.append($0) }
        do {
            try await LambdaRuntime.serve(client: client, handler: &handler, logger: logger)
            XCTFail("the loop ends only when the client does")
        } catch {
            // Typed throws: the only way out is the client's own failure, when it runs dry.
        }
        XCTAssertEqual(handler.served, 4)
        XCTAssertEqual(client.responses.map(\.0), ["req-0", "req-3"])
        XCTAssertEqual(client.responses.map { String(decoding: $0.1, as: UTF8.self) }, ["cba", "yx"])
        XCTAssertEqual(client.errors.map(\.0), ["req-1", "req-2"])
        XCTAssertEqual(client.errors.map(\.1.type), ["LambdaError", "Function.ResponseSizeTooLarge"])

        // Every line is JSON and names its function and request.
        let handled = try lines.all.filter { $0.contains("handled") }.map { try JSON.parse(Array($0.utf8)) }
        XCTAssertEqual(handled.map { $0["request_id"]?.stringValue }, ["req-0", "req-1", "req-2", "req-3"])
        XCTAssertEqual(Set(handled.map { $0["function"]?.stringValue }), ["echo"])
        XCTAssertEqual(Set(handled.map { $0["level"]?.stringValue }), ["info"])
        XCTAssertTrue(lines.all.contains { $0.contains("invocation failed") && $0.contains("\"level\":\"error\"") }, "\(lines.all)")
    }

    func testLogLevelsFollowLambdasNames() {
        XCTAssertEqual(Logger.Level(lambdaName: "WARN"), .warning)
        XCTAssertEqual(Logger.Level(lambdaName: "FATAL"), .critical)
        XCTAssertNil(Logger.Level(lambdaName: "loud"))
        let lines = CollectedLines()
        let logger = FunctionIdentity(name: "quiet", logLevel: .error).makeLogger { lines.append($0) }
        logger.info("dropped")
        logger.error("kept")
        XCTAssertEqual(lines.all.count, 1)
    }
}
