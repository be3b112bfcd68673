import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A request with its body gathered, up to a limit.
struct ServerRequest {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// The body went past the server's limit; it was drained, not kept.
    var bodyTooLarge: Bool
    var remoteAddress: String

    var path: String {
        if let question = uri.firstIndex(of: "?") { return String(uri[..<question]) }
        return uri
    }

    var rawQuery: String {
        if let question = uri.firstIndex(of: "?") { return String(uri[uri.index(after: question)...]) }
        return ""
    }
}

struct ServerResponse {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: ByteBuffer?

    init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: ByteBuffer? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(status: HTTPResponseStatus, contentType: String, bytes: [UInt8], headers: [(String, String)] = []) {
        self.init(status: status, headers: [("content-type", contentType)] + headers, body: ByteBuffer(bytes: bytes))
    }
}

/// Answers one request. Safe to call from any thread, exactly once; the connection stays
/// open for the next request unless the client asked otherwise.
struct Responder: Sendable {
    let channel: Channel
    let keepAlive: Bool

    func send(_ response: ServerResponse) {
        var head = HTTPResponseHead(version: .http1_1, status: response.status)
        for (name, value) in response.headers { head.headers.add(name: name, value: value) }
        head.headers.replaceOrAdd(name: "content-length", value: String(response.body?.readableBytes ?? 0))
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        let channel = self.channel
        let keepAlive = self.keepAlive
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if let body = response.body, body.readableBytes > 0 {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        }
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}

typealias RequestHandler = @Sendable (ServerRequest, Responder) -> Void

/// Gathers each request's head and body, then hands it to `onRequest`. Pipelining assistance
/// upstream guarantees one request in flight per connection.
final class HTTPRequestCollector: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart

    let maxBodyBytes: Int
    let onRequest: RequestHandler
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false

    init(maxBodyBytes: Int, onRequest: @escaping RequestHandler) {
        self.maxBodyBytes = maxBodyBytes
        self.onRequest = onRequest
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.tooLarge = false
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBodyBytes {
                tooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            let request = ServerRequest(
                method: head.method, uri: head.uri, headers: head.headers, body: body ?? ByteBuffer(),
                bodyTooLarge: tooLarge, remoteAddress: context.remoteAddress?.ipAddress ?? "127.0.0.1")
            self.head = nil
            self.body = nil
            onRequest(request, Responder(channel: context.channel, keepAlive: head.isKeepAlive))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A declined upgrade (a refused $connect, or an Upgrade header on another path) is
        // reported here before its request is passed on as an ordinary one, which it then is.
        if error is NIOWebSocketUpgradeError { return }
        context.close(promise: nil)
    }
}

enum HTTPServer {
    /// The names the front handler and the collector are added under, so an upgrade to
    /// WebSocket can take them out of the pipeline.
    static let requestHandlerNames = ["verdict-front", "verdict-collector"]

    /// `front`, when given, makes a handler that sees each request before the collector does
    /// (the local S3 endpoint streams its bodies instead of collecting them). `upgraders`, when
    /// given, makes each connection's protocol upgraders (the WebSocket API's).
    static func bind(
        group: EventLoopGroup, host: String, port: Int, maxBodyBytes: Int,
        front: (@Sendable () -> any ChannelHandler)? = nil,
        upgraders: (@Sendable () -> [HTTPServerProtocolUpgrader & Sendable])? = nil, onRequest: @escaping RequestHandler
    ) -> EventLoopFuture<Channel> {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let upgrade: NIOHTTPServerUpgradeSendableConfiguration? = upgraders.map { ($0(), { _ in }) }
                return channel.pipeline.configureHTTPServerPipeline(
                    withPipeliningAssistance: true, withServerUpgrade: upgrade, withErrorHandling: true
                ).flatMapThrowing {
                    let pipeline = channel.pipeline.syncOperations
                    if let front { try pipeline.addHandler(front(), name: requestHandlerNames[0]) }
                    try pipeline.addHandler(
                        HTTPRequestCollector(maxBodyBytes: maxBodyBytes, onRequest: onRequest), name: requestHandlerNames[1])
                }
            }
            .bind(host: host, port: port)
    }
}
