import Foundation
import VerdictLive
import VerdictS3
import XCTest

/// The template's WebSocket API through the real emulator and the fixture function: upgrade and
/// `$connect` (refusal included), route selection, replies pushed through the signed
/// `@connections` API in order, `$disconnect`, 410 for gone connections, and the management
/// API's signature checks.
final class WebSocketEndToEndTests: FixtureEmulatorTestCase {
    static let secret = "websocket-test-secret-0123456789abcdefghij"
    override class var emulatorArguments: [String] { ["--no-schedules", "--s3-secret", secret] }

    var port: Int { Self.emulator.port }
    var managementEndpoint: String { "\(Self.emulator.baseURL)/_ws" }

    func client(secret: String = WebSocketEndToEndTests.secret) -> ConnectionsClient {
        ConnectionsClient(
            endpoint: managementEndpoint, region: "us-east-1",
            credentials: SigV4Credentials(accessKeyID: "verdict-local", secretAccessKey: secret))
    }

    func connect(query: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> WebSocketTestClient {
        guard case .connected(let socket) = try WebSocketTestClient.connect(port: port, path: "/ws" + query) else {
            XCTFail("the upgrade was refused", file: file, line: line)
            throw XCTSkip("not connected")
        }
        return socket
    }

    /// The connection id, as the fixture's `$default` route tells it.
    func connectionID(of socket: WebSocketTestClient) -> String {
        let before = socket.waitForMessages(0, timeout: 0).count
        socket.send("whoami")
        return socket.waitForMessages(before + 1).last ?? ""
    }

    /// WebSocket events the fixture logged, as JSON objects.
    func loggedEvents(connectionID: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: Self.eventLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let context = event["requestContext"] as? [String: Any], context["connectionId"] as? String == connectionID
            else { return nil }
            return event
        }
    }

    func waitForEvent(_ type: String, connectionID: String, timeout: TimeInterval = 10) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let event = loggedEvents(connectionID: connectionID).first(where: {
                ($0["requestContext"] as? [String: Any])?["eventType"] as? String == type
            }) {
                return event
            }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return nil
    }

    // MARK: Connecting

    func testConnectDeliversAPIGatewaysConnectEvent() throws {
        let socket = try connect(query: "?team=alpha&team=beta")
        defer { socket.close() }
        let id = connectionID(of: socket)
        XCTAssertEqual(id.count, 16, "API Gateway-shaped connection id: \(id)")
        let event = try XCTUnwrap(waitForEvent("CONNECT", connectionID: id))
        let context = try XCTUnwrap(event["requestContext"] as? [String: Any])
        XCTAssertEqual(context["routeKey"] as? String, "$connect")
        XCTAssertEqual(context["stage"] as? String, "live")
        XCTAssertEqual(context["domainName"] as? String, "127.0.0.1:\(port)")
        XCTAssertEqual(context["messageDirection"] as? String, "IN")
        XCTAssertNotNil(context["connectedAt"] as? Int)
        XCTAssertEqual((context["identity"] as? [String: Any])?["userAgent"] as? String, "verdict-websocket-test")
        XCTAssertEqual((event["queryStringParameters"] as? [String: String])?["team"], "beta")
        XCTAssertEqual((event["multiValueQueryStringParameters"] as? [String: [String]])?["team"], ["alpha", "beta"])
        XCTAssertEqual((event["headers"] as? [String: String])?["User-Agent"], "verdict-websocket-test")
        XCTAssertEqual(event["isBase64Encoded"] as? Bool, false)
    }

    func testAConnectAnsweredWithANon2xxStatusRefusesTheUpgrade() throws {
        guard case .refused(let status, let body) = try WebSocketTestClient.connect(port: port, path: "/ws?refuse=1") else {
            return XCTFail("the fixture refuses ?refuse=1, yet the upgrade went through")
        }
        XCTAssertEqual(status, 403)
        XCTAssertEqual(body, "refused by the fixture")
    }

    func testAPlainRequestToTheWebSocketPathIsToldToUpgrade() async throws {
        let response = try await HTTPClient.send("GET", "\(Self.emulator.baseURL)/ws")
        XCTAssertEqual(response.status, 426)
    }

    // MARK: Messages

    func testMessagesAreRoutedByActionElseToDefault() throws {
        let socket = try connect()
        defer { socket.close() }
        let id = connectionID(of: socket)
        socket.send(#"{"action":"echo","text":"routed"}"#)
        socket.send(#"{"action":"no-such-route"}"#)
        socket.send("not json")
        let replies = socket.waitForMessages(4)
        XCTAssertEqual(Array(replies.dropFirst()), ["routed", #"default:{"action":"no-such-route"}"#, "default:not json"])
        let messages = loggedEvents(connectionID: id).compactMap { $0["requestContext"] as? [String: Any] }.filter {
            $0["eventType"] as? String == "MESSAGE"
        }
        XCTAssertEqual(messages.compactMap { $0["routeKey"] as? String }, ["$default", "echo", "$default", "$default"])
        XCTAssertTrue(messages.allSatisfy { $0["messageId"] is String })
    }

    func testFiftyEchoesArriveInOrder() throws {
        let socket = try connect()
        defer { socket.close() }
        let sent = (0..<50).map { "message \($0)" }
        for text in sent { socket.send(#"{"action":"echo","text":"\#(text)"}"#) }
        XCTAssertEqual(socket.waitForMessages(50, timeout: 60), sent)
    }

    func testAMessageOverAPIGatewaysLimitClosesWith1009() throws {
        let socket = try connect()
        socket.send(String(repeating: "x", count: 129 * 1024))
        let close = socket.waitForClose()
        XCTAssertTrue(close.closed)
        XCTAssertEqual(close.code, 1009)
    }

    // MARK: Disconnecting

    func testClosingInvokesDisconnectAndLaterPostsAre410() throws {
        let first = try connect()
        let id = connectionID(of: first)
        first.close()
        let event = try XCTUnwrap(waitForEvent("DISCONNECT", connectionID: id))
        let context = try XCTUnwrap(event["requestContext"] as? [String: Any])
        XCTAssertEqual(context["routeKey"] as? String, "$disconnect")
        XCTAssertEqual(context["disconnectStatusCode"] as? Int, 1000)

        XCTAssertEqual(try client().post(connectionID: id, data: Array("too late".utf8)), .gone)
        XCTAssertNil(try client().info(connectionID: id))

        // A function posting to the gone connection learns the same.
        let second = try connect()
        defer { second.close() }
        second.send(#"{"action":"broadcast-after-close","target":"\#(id)"}"#)
        XCTAssertEqual(second.waitForMessages(1), ["gone:410"])
    }

    // MARK: @connections

    func testInfoDescribesAndDeleteClosesTheConnection() throws {
        let socket = try connect()
        let id = connectionID(of: socket)
        let info = try XCTUnwrap(try client().info(connectionID: id))
        XCTAssertEqual(info.sourceIP, "127.0.0.1")
        XCTAssertEqual(info.userAgent, "verdict-websocket-test")
        XCTAssertTrue(info.connectedAt.hasSuffix("Z"), info.connectedAt)
        XCTAssertGreaterThanOrEqual(info.lastActiveAt, info.connectedAt)

        XCTAssertEqual(try client().post(connectionID: id, data: Array("pushed".utf8)), .sent)
        XCTAssertEqual(socket.waitForMessages(2).last, "pushed")

        XCTAssertEqual(try client().delete(connectionID: id), .sent)
        XCTAssertTrue(socket.waitForClose().closed)
        XCTAssertNotNil(waitForEvent("DISCONNECT", connectionID: id))
    }

    func testManagementRequestsMustBeSignedWithTheFunctionsKey() async throws {
        let socket = try connect()
        defer { socket.close() }
        let id = connectionID(of: socket)
        let url = client().url(connectionID: id)

        let unsigned = try await HTTPClient.send("POST", url, body: Data("unsigned".utf8))
        XCTAssertEqual(unsigned.status, 403)
        XCTAssertEqual(try unsigned.json()["message"] as? String, "Missing Authentication Token")

        XCTAssertThrowsError(try client(secret: "not-the-secret").post(connectionID: id, data: Array("forged".utf8))) { error in
            guard case .status(403, _, let message) = error as? ConnectionsClient.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("signature"), message)
        }

        let signer = SigV4RequestSigner(
            credentials: SigV4Credentials(accessKeyID: "verdict-local", secretAccessKey: Self.secret), region: "us-east-1",
            service: "execute-api")
        let old = AmzDate(secondsSince1970: AmzDate.now().secondsSince1970 - 20 * 60)
        let body = Array("stale".utf8)
        let stale = try signer.authorizationHeaders(method: "POST", url: url, body: body, signedAt: old)
        let expired = try await HTTPClient.send(
            "POST", url, headers: Dictionary(uniqueKeysWithValues: stale.map { ($0.name, $0.value) }), body: Data(body))
        XCTAssertEqual(expired.status, 403)
        XCTAssertTrue((try expired.json()["message"] as? String ?? "").hasPrefix("Signature expired"), expired.text)

        // The body is signed: the same headers over another body do not pass.
        let fresh = try signer.authorizationHeaders(method: "POST", url: url, body: body)
        let tampered = try await HTTPClient.send(
            "POST", url, headers: Dictionary(uniqueKeysWithValues: fresh.map { ($0.name, $0.value) }), body: Data("other".utf8))
        XCTAssertEqual(tampered.status, 403)
        let genuine = try await HTTPClient.send(
            "POST", url, headers: Dictionary(uniqueKeysWithValues: fresh.map { ($0.name, $0.value) }), body: Data(body))
        XCTAssertEqual(genuine.status, 200, genuine.text)

        XCTAssertEqual(socket.waitForMessages(2).dropFirst(), ["stale"], "only the genuine request reached the client")
    }
}
