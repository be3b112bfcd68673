import Foundation
import HTTPContract
import LambdaRuntime
import VerdictAPI
import VerdictDB
import VerdictJSON
import XCTest

@testable import VerdictCore

/// The live API in process: connections and subscriptions through the real routes, events from
/// the functions that cause them, pushed through a sender that records what it was given.
final class LiveTests: XCTestCase {
    /// What a client would have received, by connection, in order.
    final class RecordingSender: LiveSender, @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [(String, JSON)] = []
        var gone: Set<String> = []

        func send(_ message: [UInt8], to connectionID: String) throws -> LiveDelivery {
            if gone.contains(connectionID) { return .gone }
            lock.lock()
            messages.append((connectionID, (try? JSON.parse(message)) ?? .null))
            lock.unlock()
            return .sent
        }

        func received(by connectionID: String) -> [JSON] {
            lock.lock()
            defer { lock.unlock() }
            return messages.filter { $0.0 == connectionID }.map(\.1)
        }

        func types(for connectionID: String) -> [String] {
            received(by: connectionID).compactMap { $0["type"]?.stringValue }
        }
    }

    let sender = RecordingSender()
    lazy var harness: HandlerHarness = {
        let harness = HandlerHarness()
        harness.resources.useLiveSender(sender)
        return harness
    }()

    func event(_ type: WebSocketEvent.EventType, _ connection: String, body: String = "", key: String? = nil) -> WebSocketEvent {
        let route = type == .connect ? "$connect" : type == .disconnect ? "$disconnect" : "$default"
        return WebSocketEvent(
            eventType: type, routeKey: route, connectionID: connection, body: Array(body.utf8),
            multiValueHeaders: key.map { ["X-API-Key": [$0]] } ?? [:], requestID: UUID().uuidString, domainName: "localhost",
            stage: "live", apiID: "test", connectedAtMilliseconds: 0, requestTimeEpochMilliseconds: 0, sourceIP: "127.0.0.1")
    }

    func route<Handler: SocketEndpoint>(_ handler: Handler, _ event: WebSocketEvent) async -> Int {
        var function = SocketFunction(handler, resources: harness.resources)
        let lambda = LambdaContext(
            requestID: event.requestID, deadlineMilliseconds: WallClock.nowMilliseconds() + 5000, invokedFunctionARN: "t")
        return await function.respond(to: event, lambda: lambda).status
    }

    func connection() -> String { "c" + UUID().uuidString.prefix(12) }

    func testSubscriptionsFollowWhatTheConnectionMayRead() async throws {
        let db = try TestDatabase.connection()
        let owner = try TestDatabase.team(db, projectsPublic: false)
        let report = try TestDatabase.ingest(TenancyTests.junit, project: "live-private", for: owner.access, db)
        let anonymous = connection()
        let member = connection()
        let connectedAnonymously = await route(LiveConnect(), event(.connect, anonymous))
        XCTAssertEqual(connectedAnonymously, 200)
        let connectedWithKey = await route(LiveConnect(), event(.connect, member, key: owner.key))
        XCTAssertEqual(connectedWithKey, 200)
        let refused = await route(LiveConnect(), event(.connect, connection(), key: owner.key + "x"))
        XCTAssertEqual(refused, 401, "a wrong key refuses the connection")

        let subscribe = #"{"action":"subscribe","run_id":"\#(report.runID.text)"}"#
        _ = await route(LiveMessage(), event(.message, anonymous, body: subscribe))
        _ = await route(LiveMessage(), event(.message, member, body: subscribe))
        XCTAssertEqual(sender.received(by: anonymous).last?["code"]?.stringValue, "not_found", "a private run stays hidden")
        XCTAssertEqual(sender.types(for: member), ["subscribed"])

        _ = await route(LiveMessage(), event(.message, member, body: #"{"action":"subscribe","run_id":"nope"}"#))
        XCTAssertEqual(sender.received(by: member).last?["code"]?.stringValue, "invalid_parameter")
        _ = await route(LiveMessage(), event(.message, member, body: "not json"))
        XCTAssertEqual(sender.received(by: member).last?["code"]?.stringValue, "invalid_json")

        try LiveEvents(db: db, sender: sender).publish(.runCompleted, run: report.runID)
        XCTAssertEqual(sender.types(for: anonymous), ["error"], "nothing reaches who may not follow")
        let completed = try XCTUnwrap(sender.received(by: member).last)
        XCTAssertEqual(completed["type"]?.stringValue, "run.completed")
        XCTAssertEqual(completed["run"]?["totals"]?["tests"]?.intValue, 2, "events carry the run's totals")
        XCTAssertEqual(completed["run"]?["status"]?.stringValue, "completed")

        _ = await route(LiveDisconnect(), event(.disconnect, member))
        let left = try db.query("SELECT count(*) AS n FROM live_subscriptions WHERE connection_id = $1", [member]).first
        XCTAssertEqual(try left?.decode("n", as: Int.self), 0, "a disconnect takes its subscriptions along")
    }

    func testFunctionsAnnounceWhatTheyDoToTheProjectsFollowersAndForgetTheGone() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "live-\(UUID().uuidString.prefix(8))"
        // A first run makes the project, which a client then follows.
        let first = try TestDatabase.ingest(TenancyTests.junit, project: project, for: team.access, db)
        let projectID = try XCTUnwrap(try db.query("SELECT project_id FROM runs WHERE id = $1", [first.runID.text]).first)
            .decode("project_id", as: String.self)
        let follower = connection()
        let leaver = connection()
        for client in [follower, leaver] {
            _ = await route(LiveConnect(), event(.connect, client))
            _ = await route(LiveMessage(), event(.message, client, body: #"{"action":"subscribe","project":"\#(projectID)"}"#))
        }
        sender.gone.insert(leaver)

        let begun = await harness.call(
            BeginRun(), "/api/v1/reports/begin", method: "POST", key: team.key,
            body: #"{"project":"\#(project)","ci_run_id":"second","total_reports_expected":1}"#)
        XCTAssertEqual(begun.status, 201, begun.text)
        let runID = try XCTUnwrap(begun.json["run_id"]?.stringValue)
        let file = #"{"name":"r.xml","kind":"report","size":10,"sha256":"\#(String(repeating: "b", count: 64))"}"#
        let registered = await harness.call(
            RegisterReport(), "/api/v1/reports/register", method: "POST", key: team.key,
            body: #"{"run_id":"\#(runID)","shard":"1","files":[\#(file)]}"#)
        XCTAssertEqual(registered.status, 201, registered.text)

        XCTAssertEqual(sender.types(for: follower), ["subscribed", "run.created", "report.registered"])
        let registration = try XCTUnwrap(sender.received(by: follower).last)
        XCTAssertEqual(registration["run_id"]?.stringValue, runID)
        XCTAssertEqual(registration["shard"]?.stringValue, "1")
        XCTAssertEqual(registration["run"]?["total_reports_expected"]?.intValue, 1)
        let remaining = try db.query("SELECT id FROM live_connections WHERE id = $1", [leaver]).rows
        XCTAssertTrue(remaining.isEmpty, "a connection found gone is forgotten")
    }

    func testAnOrchestrationAnnouncesLeasesResultsExpiriesAndItsEnd() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let begun = await harness.call(
            BeginOrchestration(), "/x", method: "POST", key: team.key,
            body: #"{"project":"live-orchestra","ci_run_id":"\#(UUID().uuidString)","units":["a","b"],"lease_seconds":5}"#)
        XCTAssertEqual(begun.status, 201, begun.text)
        let runID = try XCTUnwrap(begun.json["run_id"]?.stringValue)
        let client = connection()
        _ = await route(LiveConnect(), event(.connect, client, key: team.key))
        _ = await route(LiveMessage(), event(.message, client, body: #"{"action":"subscribe","run_id":"\#(runID)"}"#))
        func checkout(_ worker: String) async -> HandlerHarness.Response {
            await harness.call(
                CheckoutUnits(), "/x", method: "POST", key: team.key, body: #"{"run_id":"\#(runID)","worker":"\#(worker)"}"#)
        }
        let first = await checkout("w1")
        let lease1 = try XCTUnwrap(first.json["lease_id"]?.stringValue)
        // w1 dies: its lease runs out and the next checkout takes its units back.
        try db.query("UPDATE orchestration_leases SET deadline = now() - interval '1 second' WHERE id = $1", [lease1])
        var held: [String] = []
        var lease = ""
        for _ in 0..<10 {
            let next = await checkout("w2")
            guard let id = next.json["lease_id"]?.stringValue else { break }
            lease = id
            held = next.json["units"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            let results = held.map { #"{"unit":"\#($0)","status":"passed","duration_ms":5}"# }.joined(separator: ",")
            let done = await harness.call(
                CompleteLease(), "/x", method: "POST", key: team.key,
                body: #"{"run_id":"\#(runID)","worker":"w2","lease_id":"\#(lease)","results":[\#(results)]}"#)
            XCTAssertEqual(done.status, 200, done.text)
        }
        let types = sender.types(for: client)
        XCTAssertEqual(types.first, "subscribed")
        XCTAssertEqual(
            types.filter { $0 == "orchestration.unit.leased" }.count, types.filter { $0 == "orchestration.unit.completed" }.count + 1,
            "every lease announced, the dead one never completed: \(types)")
        XCTAssertTrue(types.contains("orchestration.lease.expired"), "\(types)")
        XCTAssertEqual(Array(types.suffix(2)), ["orchestration.run.completed", "run.completed"])
        let expiry = try XCTUnwrap(sender.received(by: client).first { $0["type"]?.stringValue == "orchestration.lease.expired" })
        XCTAssertEqual(expiry["lease_id"]?.stringValue, lease1)
        XCTAssertEqual(expiry["worker"]?.stringValue, "w1")
        let end = try XCTUnwrap(sender.received(by: client).first { $0["type"]?.stringValue == "orchestration.run.completed" })
        XCTAssertEqual(end["orchestration"]?["counts"]?["passed"]?.intValue, 2)
    }

    func testALargeIngestReportsItsProgressAsItStores() throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let cases = (0..<12_345).map { #"<testcase classname="big.Suite" name="case \#($0)"/>"# }.joined()
        var progress: [Int] = []
        let report = try TestDatabase.ingest(
            "<testsuite name=\"big\">\(cases)</testsuite>", project: "progress", for: team.access, db, progress: { progress.append($0) })
        XCTAssertEqual(report.totals.tests, 12_345)
        XCTAssertEqual(progress, [5_000, 10_000], "every \(ReportIngest.progressInterval) cases, while the COPY runs")
    }
}
