import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The gateway's listener with the local S3 endpoint in front of the request collector:
/// `/_s3` requests are taken off the pipeline as soon as their head arrives, so their bodies
/// stream to disk (objects may be gigabytes) while every other route keeps the collector and its
/// 6 MB Lambda limit. Without local S3 (`--s3-endpoint`) this is plain `HTTPServer.bind`.
enum LocalS3Server {
    static func bind(
        group: EventLoopGroup, host: String, port: Int, maxBodyBytes: Int, objectStorage: LocalS3Endpoint?,
        upgraders: (@Sendable () -> [HTTPServerProtocolUpgrader & Sendable])? = nil, onRequest: @escaping RequestHandler
    ) -> EventLoopFuture<Channel> {
        var front: (@Sendable () -> any ChannelHandler)?
        if let objectStorage {
            front = { LocalS3ChannelHandler(endpoint: objectStorage) }
        }
        return HTTPServer.bind(
            group: group, host: host, port: port, maxBodyBytes: maxBodyBytes, front: front, upgraders: upgraders, onRequest: onRequest)
    }
}

/// Serves `/_s3` requests on the event loop, part by part; passes everything else on.
final class LocalS3ChannelHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let endpoint: LocalS3Endpoint
    private var exchange: LocalS3Exchange?

    init(endpoint: LocalS3Endpoint) {
        self.endpoint = endpoint
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let path = head.uri.firstIndex(of: "?").map { String(head.uri[..<$0]) } ?? head.uri
            guard LocalS3Endpoint.owns(path: path) else {
                context.fireChannelRead(data)
                return
            }
            let exchange = endpoint.begin(head)
            self.exchange = exchange
            if exchange.expectsContinue {
                if case .fail = exchange.plan {
                    // Refused before the body was sent: answer now and close, so the client
                    // neither sends a body nobody wants nor waits for a 100 that never comes.
                    exchange.answered = true
                    send(exchange.finish(), for: exchange, context: context, close: true)
                } else {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
                }
            }
        case .body(let chunk):
            guard let exchange else {
                context.fireChannelRead(data)
                return
            }
            exchange.receive(chunk)
        case .end:
            guard let exchange else {
                context.fireChannelRead(data)
                return
            }
            self.exchange = nil
            if !exchange.answered { send(exchange.finish(), for: exchange, context: context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange?.abort()
        exchange = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        exchange?.abort()
        exchange = nil
    }

    private func send(_ reply: LocalS3Reply, for exchange: LocalS3Exchange, context: ChannelHandlerContext, close: Bool = false) {
        var head = HTTPResponseHead(version: exchange.head.version, status: reply.status)
        head.headers.add(name: "x-amz-request-id", value: exchange.requestID)
        head.headers.add(name: "date", value: LocalS3XML.httpDate(Date()))
        head.headers.add(name: "server", value: "VerdictLocalS3")
        for (name, value) in reply.headers { head.headers.add(name: name, value: value) }

        let file: NIOFileHandle?
        var region: FileRegion?
        var bytes: ByteBuffer?
        switch reply.body {
        case .none:
            file = nil
            head.headers.replaceOrAdd(name: "content-length", value: String(reply.contentLength ?? 0))
        case .bytes(let body):
            file = nil
            head.headers.replaceOrAdd(name: "content-length", value: String(body.count))
            bytes = context.channel.allocator.buffer(bytes: body)
        case .file(let descriptor, let range):
            head.headers.replaceOrAdd(name: "content-length", value: String(range.count))
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
            file = handle
            if !range.isEmpty { region = FileRegion(fileHandle: handle, readerIndex: range.lowerBound, endIndex: range.upperBound) }
        }
        let keepAlive = exchange.head.isKeepAlive && !close
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }

        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let bytes, bytes.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil) }
        if let region { context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            try? file?.close()
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
