// A function for the emulator's tests: it echoes what it receives and, on request, sleeps,
// fails, crashes or answers with a large body, so every path of the emulator can be driven
// against a real process speaking the Runtime API.
import LambdaRuntime
import VerdictHTTP
import VerdictJSON
import VerdictLive

#if canImport(Glibc)
    import Glibc
#endif

struct FixtureError: Error, CustomStringConvertible {
    var description: String { "the fixture was asked to fail" }
}

struct Fixture: LambdaHandler {
    func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let event = try JSON.parse(payload)
        if let logPath = getenv("FIXTURE_EVENT_LOG").map({ String(cString: $0) }) {
            append(payload + [UInt8(ascii: "\n")], to: logPath)
        }
        StandardStreams.out("fixture handling \(context.requestID)")
        let facts: JSON = [
            "request_id": .string(context.requestID),
            "deadline_ms": .int(context.deadlineMilliseconds),
            "remaining_ms": .int(Int64(context.remainingTime.components.seconds * 1000)),
            "function_arn": .string(context.invokedFunctionARN),
            "trace_id": JSON(context.traceID),
            "trace_id_env": JSON(getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }),
            "client_context": JSON(context.clientContext),
            "pid": .int(Int64(getpid())),
        ]
        if event["requestContext"]?["http"] != nil {
            let request = try HTTPRequest(event: event)
            return try http(request, facts: facts).event.serialized()
        }
        if WebSocketEvent.isWebSocketEvent(event) {
            return try webSocket(try WebSocketEvent(event: event)).event.serialized()
        }
        try perform(action: event["action"]?.stringValue, milliseconds: event["ms"]?.intValue ?? 0)
        return JSON.object(JSONObject([("payload", event), ("context", facts)])).serialized()
    }

    func http(_ request: HTTPRequest, facts: JSON) throws -> HTTPResponse {
        let segments = request.rawPath.split(separator: "/").map(String.init)
        switch segments.dropFirst().first {
        case "sleep":
            try perform(action: "sleep", milliseconds: Int64(segments.last ?? "") ?? 0)
        case "crash":
            try perform(action: "crash", milliseconds: 0)
        case "fail":
            try perform(action: "fail", milliseconds: 0)
        case "big":
            let size = Int(segments.last ?? "") ?? 0
            return HTTPResponse(
                status: 200, headers: [("content-type", "text/plain")], body: [UInt8](repeating: UInt8(ascii: "x"), count: size))
        case "binary":
            return HTTPResponse(
                status: 200, headers: [("content-type", "application/octet-stream")], body: [0, 1, 2, 255, 254], isBinary: true)
        default:
            break
        }
        let echo: JSON = [
            "method": .string(request.method), "path": .string(request.rawPath), "query": .string(request.rawQueryString),
            "route_key": .string(request.routeKey),
            "headers": .object(JSONObject(request.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            "cookies": JSON(request.cookies),
            "path_parameters": .object(JSONObject(request.pathParameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            "body_base64": .string(Base64.encode(request.body)),
            "context": facts,
        ]
        return HTTPResponse(
            status: 200, headers: [("content-type", "application/json"), ("x-fixture", "yes")], cookies: ["fixture=1; Path=/"],
            body: echo.serialized())
    }

    /// `$connect` with `?refuse=1` is refused; messages `{"action":"echo","text":…}` are posted
    /// back through @connections, `{"action":"broadcast-after-close","target":…}` posts to
    /// `target` and tells the sender what came of it, `whoami` answers the connection id, anything
    /// else (`$default`) comes back as `default:<body>`.
    func webSocket(_ event: WebSocketEvent) throws -> HTTPResponse {
        switch event.eventType {
        case .connect:
            if event.query("refuse") == "1" { return HTTPResponse(status: 403, body: Array("refused by the fixture".utf8)) }
            return HTTPResponse(status: 200)
        case .disconnect:
            return HTTPResponse(status: 200)
        case .message:
            let client = try ConnectionsClient.fromEnvironment()
            let message = try? JSON.parse(event.body)
            let reply: String
            switch event.routeKey {
            case "echo":
                reply = message?["text"]?.stringValue ?? ""
            case "broadcast-after-close":
                let outcome = try client.post(connectionID: message?["target"]?.stringValue ?? "", data: Array("late news".utf8))
                reply = outcome == .gone ? "gone:410" : "sent"
            default:
                reply = event.bodyText == "whoami" ? event.connectionID : "default:" + (event.bodyText ?? "")
            }
            guard try client.post(connectionID: event.connectionID, data: Array(reply.utf8)) == .sent else {
                throw FixtureError()
            }
            // API Gateway would drop this without a route response; the emulator does too.
            return HTTPResponse(status: 200, body: Array("not sent to the client".utf8))
        }
    }

    func perform(action: String?, milliseconds: Int64) throws {
        switch action {
        case "sleep": usleep(useconds_t(milliseconds * 1000))
        case "crash": exit(42)
        case "fail": throw FixtureError()
        default: break
        }
    }

    func append(_ bytes: [UInt8], to path: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}

struct InitFailure: Error, CustomStringConvertible {
    var description: String { "FIXTURE_INIT_FAIL is set" }
}

await LambdaRuntime.run {
    if getenv("FIXTURE_INIT_FAIL") != nil { throw InitFailure() }
    return Fixture()
}
