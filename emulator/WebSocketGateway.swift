import Foundation
import HTTPContract
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOWebSocket
import SAMTemplate
import VerdictJSON
import VerdictS3

/// The template's WebSocket API, served the way API Gateway serves one: an upgrade on
/// `--websocket-path` runs `$connect` (a non-2xx answer refuses it), each message runs the route
/// its `RouteSelectionExpression` picks (else `$default`), a close runs `$disconnect`, and
/// functions push to clients through the SigV4-signed `@connections` API under `/_ws`.
///
/// Differences from AWS, on purpose: a connection's messages are invoked one after another, so a
/// client sees replies in the order it sent (AWS invokes concurrently and promises no order);
/// what a function returns for a message is not sent back (AWS sends it only when the route has
/// a route response, which the template cannot declare for proxy integrations here); binary
/// frames reach the function base64-encoded.
final class WebSocketGateway: @unchecked Sendable {
    static let managementPrefix = "/_ws"
    /// API Gateway's limits: 128 KB per message, 10 minutes idle.
    static let maxMessageBytes = 128 * 1024
    static let idleTimeout = TimeAmount.minutes(10)

    let api: WebSocketAPIDefinition
    let pools: [String: FunctionPool]
    let path: String
    let verifier: SigV4Verifier

    private let lock = NIOLock()
    private var connections: [String: WebSocketConnection] = [:]
    /// Between `$connect`'s answer and the end of the upgrade, by channel.
    private var accepted: [ObjectIdentifier: WebSocketConnection] = [:]
    /// `$connect` refusals, by channel, waiting for the request to reach the gateway.
    private var refusals: [ObjectIdentifier: ServerResponse] = [:]

    init(api: WebSocketAPIDefinition, pools: [String: FunctionPool], path: String, verifier: SigV4Verifier) {
        self.api = api
        self.pools = pools
        self.path = path
        self.verifier = verifier
    }

    static func owns(managementPath path: String) -> Bool {
        path == managementPrefix || path.hasPrefix(managementPrefix + "/")
    }

    var connectionCount: Int { lock.withLock { connections.count } }

    // MARK: Upgrade

    /// One per accepted TCP connection (the listener's pipeline is made per channel).
    func upgrader() -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: Self.maxMessageBytes, automaticErrorHandling: true,
            shouldUpgrade: { [self] channel, head in shouldUpgrade(channel: channel, head: head) },
            upgradePipelineHandler: { [self] channel, _ in completeUpgrade(channel: channel) })
    }

    private func shouldUpgrade(channel: Channel, head: HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        let requestPath = head.uri.firstIndex(of: "?").map { String(head.uri[..<$0]) } ?? head.uri
        guard requestPath == path else { return channel.eventLoop.makeSucceededFuture(nil) }
        let now = Self.epochMilliseconds()
        let connection = WebSocketConnection(
            id: Self.makeConnectionID(), gateway: self, channel: channel, head: head,
            sourceIP: channel.remoteAddress?.ipAddress ?? "127.0.0.1", connectedAt: now)
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
        let key = ObjectIdentifier(channel)
        guard let pool = pool(for: "$connect") else {
            lock.withLock { accepted[key] = connection }
            promise.succeed(HTTPHeaders())
            return promise.futureResult
        }
        let requestID = Self.makeRequestID()
        let event = connection.event(.connect, routeKey: "$connect", requestID: requestID, at: now)
        pool.submit(
            Invocation(requestID: Self.makeInvocationID(), payload: event.event.serialized()) { [self] outcome in
                let response = Gateway.httpResponse(outcome, function: pool.name, requestID: requestID)
                guard (200...299).contains(Int(response.status.code)) else {
                    lock.withLock { refusals[key] = response }
                    promise.succeed(nil)
                    return
                }
                var headers = HTTPHeaders()
                // The one header a $connect answer decides on AWS: the chosen subprotocol.
                for (name, value) in response.headers where name.lowercased() == "sec-websocket-protocol" {
                    headers.add(name: "Sec-WebSocket-Protocol", value: value)
                }
                lock.withLock { accepted[key] = connection }
                promise.succeed(headers)
            })
        return promise.futureResult
    }

    private func completeUpgrade(channel: Channel) -> EventLoopFuture<Void> {
        guard let connection = lock.withLock({ accepted.removeValue(forKey: ObjectIdentifier(channel)) }) else {
            return channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
        }
        do {
            // The HTTP handlers of our own that follow the upgrade handler would read frames as
            // requests; NIO removes only the ones it added.
            for name in HTTPServer.requestHandlerNames {
                if let context = try? channel.pipeline.syncOperations.context(name: name) {
                    channel.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                }
            }
            try channel.pipeline.syncOperations.addHandlers([
                IdleStateHandler(allTimeout: Self.idleTimeout),
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096, maxAccumulatedFrameSize: Self.maxMessageBytes),
                WebSocketFrameHandler(connection: connection),
            ])
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        lock.withLock { connections[connection.id] = connection }
        Console.line("[websocket] \(connection.id) connected from \(connection.sourceIP)")
        return channel.eventLoop.makeSucceededVoidFuture()
    }

    /// The answer for an upgrade request that did not upgrade: `$connect`'s refusal, or 426 for
    /// a plain request to the WebSocket path.
    func answerNonUpgrade(_ request: ServerRequest, responder: Responder) {
        if let refusal = lock.withLock({ refusals.removeValue(forKey: ObjectIdentifier(responder.channel)) }) {
            responder.send(refusal)
            return
        }
        responder.send(
            ServerResponse(
                status: .upgradeRequired, contentType: "application/json",
                bytes: Array(#"{"message":"this is a WebSocket endpoint: send an Upgrade: websocket request"}"#.utf8),
                headers: [("upgrade", "websocket")]))
    }

    // MARK: Messages

    func pool(for routeKey: String) -> FunctionPool? {
        api.function(forRoute: routeKey).flatMap { pools[$0] }
    }

    /// `$request.body.<path>` evaluated against a JSON message; anything else is `$default`'s.
    func routeKey(for body: [UInt8], isBinary: Bool) -> String {
        guard !isBinary, let path = api.bodyPath, var value = try? JSON.parse(body) else { return "$default" }
        for member in path {
            guard let next = value[member] else { return "$default" }
            value = next
        }
        let selected: String
        switch value {
        case .string(let text): selected = text
        case .int(let number): selected = String(number)
        case .bool(let flag): selected = String(flag)
        default: return "$default"
        }
        return !selected.hasPrefix("$") && api.routes[selected] != nil ? selected : "$default"
    }

    func disconnected(_ connection: WebSocketConnection) {
        lock.withLock { _ = connections.removeValue(forKey: connection.id) }
    }

    func connection(_ id: String) -> WebSocketConnection? {
        lock.withLock { connections[id] }
    }

    // MARK: @connections

    /// `POST|GET|DELETE /_ws/@connections/{connectionId}`, SigV4-signed for execute-api.
    func manage(_ request: ServerRequest, responder: Responder) {
        let requestID = Self.makeRequestID()
        @Sendable func answer(_ status: HTTPResponseStatus, type: String?, _ body: JSON?) {
            var headers: [(String, String)] = [("x-amzn-requestid", requestID)]
            if let type { headers.append(("x-amzn-errortype", type)) }
            guard let body else {
                responder.send(ServerResponse(status: status, headers: headers))
                return
            }
            responder.send(ServerResponse(status: status, contentType: "application/json", bytes: body.serialized(), headers: headers))
        }

        let incoming = IncomingS3Request(
            method: request.method.rawValue, rawPath: request.path, rawQuery: request.rawQuery,
            headers: request.headers.map { ($0.name, $0.value) })
        do {
            _ = try verifier.verifyServiceRequest(incoming, body: Array(buffer: request.body))
        } catch {
            // AWS answers every authentication failure of execute-api with 403 and a message.
            answer(
                .forbidden, type: error.code == .accessDenied ? "MissingAuthenticationTokenException" : "ForbiddenException",
                ["message": .string(error.message)])
            return
        }

        let prefix = Self.managementPrefix + "/@connections/"
        guard request.path.hasPrefix(prefix), request.path.count > prefix.count else {
            answer(.notFound, type: "NotFoundException", ["message": "Not Found"])
            return
        }
        let id = PercentEncoding.decodePathSegment(request.path.dropFirst(prefix.count))
        guard let connection = connection(id) else {
            answer(.gone, type: "GoneException", ["message": nil])
            return
        }
        switch request.method {
        case .POST:
            if request.bodyTooLarge || request.body.readableBytes > Self.maxMessageBytes {
                answer(
                    .payloadTooLarge, type: "PayloadTooLargeException",
                    ["message": .string("Message exceeds the \(Self.maxMessageBytes)-byte limit")])
                return
            }
            connection.send(request.body).whenComplete { result in
                switch result {
                case .success: answer(.ok, type: nil, nil)
                case .failure: answer(.gone, type: "GoneException", ["message": nil])
                }
            }
        case .GET:
            answer(.ok, type: nil, connection.description)
        case .DELETE:
            connection.close(code: .normalClosure, reason: "Connection closed by the @connections API")
            answer(.noContent, type: nil, nil)
        default:
            answer(.methodNotAllowed, type: "MethodNotAllowedException", ["message": "Method Not Allowed"])
        }
    }

    // MARK: Identifiers

    /// API Gateway's connection ids are 11 random bytes in base64, such as `L0SM9cOFvHcCIhw=`.
    static func makeConnectionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<11).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Lambda's own request id is a UUID, distinct from the gateway's `requestId` (whose base64
    /// would not fit in a Runtime API path).
    static func makeInvocationID() -> String { UUID().uuidString.lowercased() }

    /// The gateway's `requestId` / `messageId`: base64, like API Gateway's `L0SM9cOFvHcCIhw=`.
    static func makeRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }) + "="
    }

    static func epochMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// One upgraded client: what `$connect` saw of it, its channel, and the invocations its
/// messages wait in (one at a time, in arrival order).
final class WebSocketConnection: @unchecked Sendable {
    let id: String
    unowned let gateway: WebSocketGateway
    let channel: Channel
    let sourceIP: String
    let connectedAt: Int64
    let headers: [String: [String]]
    let query: [String: [String]]
    let domainName: String
    let userAgent: String?

    private let lock = NIOLock()
    private var lastActiveAt: Int64
    private var waiting: [(routeKey: String, event: WebSocketEvent)] = []
    private var invoking = false
    private var closeCode: Int?
    private var closeReason = ""

    init(id: String, gateway: WebSocketGateway, channel: Channel, head: HTTPRequestHead, sourceIP: String, connectedAt: Int64) {
        self.id = id
        self.gateway = gateway
        self.channel = channel
        self.sourceIP = sourceIP
        self.connectedAt = connectedAt
        self.lastActiveAt = connectedAt
        var headers: [String: [String]] = [:]
        for (name, value) in head.headers { headers[name, default: []].append(value) }
        headers["X-Forwarded-For", default: []].append(sourceIP)
        headers["X-Forwarded-Proto"] = ["http"]
        self.headers = headers
        var query: [String: [String]] = [:]
        if let question = head.uri.firstIndex(of: "?") {
            for part in head.uri[head.uri.index(after: question)...].split(separator: "&") {
                let equals = part.firstIndex(of: "=")
                let name = PercentEncoding.decodeQueryComponent(part[..<(equals ?? part.endIndex)])
                query[name, default: []].append(equals.map { PercentEncoding.decodeQueryComponent(part[part.index(after: $0)...]) } ?? "")
            }
        }
        self.query = query
        self.domainName = head.headers.first(name: "host") ?? "localhost"
        self.userAgent = head.headers.first(name: "user-agent")
    }

    func event(
        _ type: WebSocketEvent.EventType, routeKey: String, requestID: String, at time: Int64, body: [UInt8] = [], isBinary: Bool = false
    ) -> WebSocketEvent {
        let closing = lock.withLock { (closeCode, closeReason) }
        return WebSocketEvent(
            eventType: type, routeKey: routeKey, connectionID: id, body: body, isBinary: isBinary,
            multiValueHeaders: type == .message ? [:] : headers, multiValueQueryStringParameters: type == .connect ? query : [:],
            requestID: requestID, messageID: type == .message ? WebSocketGateway.makeRequestID() : nil, domainName: domainName,
            stage: gateway.api.stageName, apiID: "verdict-local", connectedAtMilliseconds: connectedAt,
            requestTimeEpochMilliseconds: time, sourceIP: sourceIP, userAgent: userAgent,
            disconnectStatusCode: type == .disconnect ? closing.0 ?? 1006 : nil,
            disconnectReason: type == .disconnect ? closing.1 : nil)
    }

    var description: JSON {
        let lastActive = lock.withLock { lastActiveAt }
        var identity = JSONObject()
        identity["SourceIp"] = .string(sourceIP)
        if let userAgent { identity["UserAgent"] = .string(userAgent) }
        return [
            "ConnectedAt": .string(EpochMilliseconds.rfc3339(connectedAt)), "Identity": .object(identity),
            "LastActiveAt": .string(EpochMilliseconds.rfc3339(lastActive)),
        ]
    }

    // MARK: From the client

    func received(_ body: [UInt8], isBinary: Bool) {
        let now = WebSocketGateway.epochMilliseconds()
        lock.withLock { lastActiveAt = now }
        let routeKey = gateway.routeKey(for: body, isBinary: isBinary)
        enqueue(
            routeKey,
            event(.message, routeKey: routeKey, requestID: WebSocketGateway.makeRequestID(), at: now, body: body, isBinary: isBinary))
    }

    /// The client said why it closes, or the emulator did; the first word counts.
    func noteClose(code: Int, reason: String) {
        lock.withLock {
            if closeCode == nil {
                closeCode = code
                closeReason = reason
            }
        }
    }

    func closed() {
        gateway.disconnected(self)
        Console.line("[websocket] \(id) disconnected (\(lock.withLock { closeCode ?? 1006 }))")
        enqueue(
            "$disconnect",
            event(
                .disconnect, routeKey: "$disconnect", requestID: WebSocketGateway.makeRequestID(), at: WebSocketGateway.epochMilliseconds())
        )
    }

    private func enqueue(_ routeKey: String, _ event: WebSocketEvent) {
        let start = lock.withLock {
            waiting.append((routeKey, event))
            if invoking { return false }
            invoking = true
            return true
        }
        if start { invokeNext() }
    }

    private func invokeNext() {
        guard
            let (routeKey, event) = lock.withLock({ () -> (String, WebSocketEvent)? in
                guard !waiting.isEmpty else {
                    invoking = false
                    return nil
                }
                return waiting.removeFirst()
            })
        else { return }
        guard let pool = gateway.pool(for: routeKey) else {
            // No route and no $default: API Gateway tells the client so.
            if event.eventType == .message { reply(error: "Forbidden", requestID: event.requestID) }
            invokeNext()
            return
        }
        pool.submit(
            Invocation(requestID: WebSocketGateway.makeInvocationID(), payload: event.event.serialized()) { [self] outcome in
                if event.eventType == .message, !Self.succeeded(outcome) {
                    reply(error: "Internal server error", requestID: event.requestID)
                }
                invokeNext()
            })
    }

    static func succeeded(_ outcome: InvocationOutcome) -> Bool {
        if case .success = outcome { return true }
        return false
    }

    private func reply(error message: String, requestID: String) {
        let body: JSON = ["message": .string(message), "connectionId": .string(id), "requestId": .string(requestID)]
        _ = send(ByteBuffer(bytes: body.serialized()))
    }

    // MARK: To the client

    func send(_ payload: ByteBuffer) -> EventLoopFuture<Void> {
        let frame = WebSocketFrame(
            fin: true, opcode: String(validating: payload.readableBytesView, as: UTF8.self) != nil ? .text : .binary, data: payload)
        return channel.writeAndFlush(frame)
    }

    func close(code: WebSocketErrorCode, reason: String) {
        noteClose(code: Int(UInt16(webSocketErrorCode: code)), reason: reason)
        channel.eventLoop.execute { [channel] in
            var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
            data.write(webSocketErrorCode: code)
            data.writeString(reason)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}

/// Frames of one upgraded connection, after NIO's decoder and aggregator.
final class WebSocketFrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let connection: WebSocketConnection
    private var closeSent = false

    init(connection: WebSocketConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            connection.received(Array(buffer: frame.unmaskedData), isBinary: frame.opcode == .binary)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self).map(Int.init) ?? 1005
            connection.noteClose(code: code, reason: data.readString(length: data.readableBytes) ?? "")
            guard !closeSent else {
                context.close(promise: nil)
                return
            }
            closeSent = true
            // Echo the client's code, as RFC 6455 asks, then hang up.
            var echo = context.channel.allocator.buffer(capacity: 2)
            if code != 1005 { echo.writeInteger(UInt16(code)) }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo))).whenComplete { _ in
                channel.close(promise: nil)
            }
        default:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            connection.close(code: .goingAway, reason: "Going away")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOWebSocketFrameAggregator.Error || (error as? NIOWebSocketError) == .invalidFrameLength {
            connection.close(code: .messageTooLarge, reason: "Message too big")
            return
        }
        connection.noteClose(code: 1011, reason: "\(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed()
        context.fireChannelInactive()
    }
}
