import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A WebSocket client on NIO's own upgrader and frame codec (URLSession's WebSocket task is
/// not dependable on Linux): it records every message and the close code it is sent, and tells
/// a refused upgrade's status apart from a completed one.
final class WebSocketTestClient: @unchecked Sendable {
    enum Connection {
        case connected(WebSocketTestClient)
        case refused(status: Int, body: String)
    }

    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private let lock = NIOLock()
    private var messages: [String] = []
    private var closeCode: Int?
    private var isClosed = false
    private var channel: Channel?

    static func connect(port: Int, path: String = "/ws", headers: [(String, String)] = []) throws -> Connection {
        let client = WebSocketTestClient()
        let promise = group.next().makePromise(of: Connection.self)
        let bootstrap = ClientBootstrap(group: group).channelInitializer { channel in
            let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20, automaticErrorHandling: true) { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let catcher = try? pipeline.context(name: "refusal") { pipeline.removeHandler(context: catcher, promise: nil) }
                    try pipeline.addHandler(FrameRecorder(client: client))
                    client.lock.withLock { client.channel = channel }
                    promise.succeed(.connected(client))
                }
            }
            return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in })).flatMap {
                channel.pipeline.addHandler(RefusalCatcher(promise: promise), name: "refusal")
            }
        }
        let channel = try bootstrap.connect(host: "127.0.0.1", port: port).wait()
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "User-Agent", value: "verdict-websocket-test")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try channel.writeAndFlush(HTTPClientRequestPart.end(nil)).wait()
        let result = try promise.futureResult.wait()
        if case .refused = result { channel.close(promise: nil) }
        return result
    }

    func send(_ text: String) {
        let channel = lock.withLock { self.channel }!
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text))
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Waits until `count` messages have arrived (or the time is up) and returns them all.
    func waitForMessages(_ count: Int, timeout: TimeInterval = 20) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, lock.withLock({ messages.count }) < count { Thread.sleep(forTimeInterval: 0.01) }
        return lock.withLock { messages }
    }

    /// Waits for the server to close the connection; returns the close code it sent, if any.
    func waitForClose(timeout: TimeInterval = 10) -> (closed: Bool, code: Int?) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !lock.withLock({ isClosed }) { Thread.sleep(forTimeInterval: 0.01) }
        return lock.withLock { (isClosed, closeCode) }
    }

    func close(code: WebSocketErrorCode = .normalClosure) {
        guard let channel = lock.withLock({ self.channel }) else { return }
        var data = ByteBuffer()
        data.write(webSocketErrorCode: code)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data), promise: nil)
        _ = waitForClose()
        channel.close(promise: nil)
    }

    final class RefusalCatcher: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let promise: EventLoopPromise<Connection>
        private var status = 0
        private var body = ""

        init(promise: EventLoopPromise<Connection>) { self.promise = promise }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): status = Int(head.status.code)
            case .body(let buffer): body += String(buffer: buffer)
            case .end: promise.succeed(.refused(status: status, body: body))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            promise.fail(error)
            context.close(promise: nil)
        }
    }

    final class FrameRecorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WebSocketFrame
        let client: WebSocketTestClient

        init(client: WebSocketTestClient) { self.client = client }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text, .binary:
                client.lock.withLock { client.messages.append(String(buffer: frame.unmaskedData)) }
            case .connectionClose:
                var data = frame.unmaskedData
                client.lock.withLock { client.closeCode = data.readInteger(as: UInt16.self).map(Int.init) }
                context.close(promise: nil)
            default:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            client.lock.withLock { client.isClosed = true }
            context.fireChannelInactive()
        }
    }
}
