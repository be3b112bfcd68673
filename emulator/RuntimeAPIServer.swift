import HTTPContract
import NIOCore
import NIOHTTP1
import NIOPosix
import VerdictJSON

/// The server side of the Lambda Runtime API (2018-06-01) for exactly one handler process,
/// on a port of its own, as each Lambda execution environment has its own endpoint.
enum RuntimeAPIServer {
    static let prefix = "/2018-06-01/runtime/"

    static func bind(group: EventLoopGroup, pool: FunctionPool, worker: Worker) -> EventLoopFuture<Channel> {
        HTTPServer.bind(group: group, host: "127.0.0.1", port: 0, maxBodyBytes: PayloadLimits.invocationBytes) { request, responder in
            handle(request, responder: responder, pool: pool, worker: worker)
        }
    }

    static func handle(_ request: ServerRequest, responder: Responder, pool: FunctionPool, worker: Worker) {
        let path = request.path
        guard path.hasPrefix(prefix) else {
            responder.send(errorBody(.notFound, type: "NotFound", message: "unknown Runtime API path \(path)"))
            return
        }
        let parts = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        switch (request.method, parts.count, parts.first, parts.last) {
        case (.GET, 2, "invocation", "next"):
            pool.next(from: worker, responder: responder)
        case (.POST, 3, "invocation", "response"):
            let requestID = parts[1]
            let outcome: InvocationOutcome =
                request.bodyTooLarge
                ? .responseTooLarge(request.headers.first(name: "content-length").flatMap { Int($0) } ?? PayloadLimits.invocationBytes + 1)
                : .success(Array(buffer: request.body))
            if pool.respond(from: worker, requestID: requestID, outcome: outcome) {
                if request.bodyTooLarge {
                    responder.send(
                        errorBody(
                            .payloadTooLarge, type: "RequestEntityTooLarge",
                            message: "response payload exceeds \(PayloadLimits.invocationBytes) bytes"))
                } else {
                    responder.send(
                        ServerResponse(status: .accepted, contentType: "application/json", bytes: Array(#"{"status":"OK"}"#.utf8)))
                }
            } else {
                responder.send(
                    errorBody(.badRequest, type: "InvalidRequestID", message: "no invocation \(requestID) is in progress on this runtime"))
            }
        case (.POST, 3, "invocation", "error"):
            let requestID = parts[1]
            let type = request.headers.first(name: "lambda-runtime-function-error-type") ?? "Unhandled"
            let body = Array(buffer: request.body)
            if pool.respond(
                from: worker, requestID: requestID, outcome: .functionError(type: type, body: body.isEmpty ? Array("{}".utf8) : body))
            {
                responder.send(ServerResponse(status: .accepted, contentType: "application/json", bytes: Array(#"{"status":"OK"}"#.utf8)))
            } else {
                responder.send(
                    errorBody(.badRequest, type: "InvalidRequestID", message: "no invocation \(requestID) is in progress on this runtime"))
            }
        case (.POST, 2, "init", "error"):
            let body = (try? JSON.parse(Array(buffer: request.body))) ?? .null
            let message = body["errorMessage"]?.stringValue ?? String(decoding: Array(buffer: request.body), as: UTF8.self)
            let type =
                body["errorType"]?.stringValue ?? request.headers.first(name: "lambda-runtime-function-error-type") ?? "Runtime.InitError"
            pool.initError(from: worker, message: "\(type): \(message)")
            responder.send(ServerResponse(status: .accepted, contentType: "application/json", bytes: Array(#"{"status":"OK"}"#.utf8)))
        default:
            responder.send(errorBody(.notFound, type: "NotFound", message: "\(request.method) \(path) is not part of the Runtime API"))
        }
    }

    /// The Runtime API's own error shape.
    static func errorBody(_ status: HTTPResponseStatus, type: String, message: String) -> ServerResponse {
        let body: JSON = ["errorMessage": .string(message), "errorType": .string(type)]
        return ServerResponse(status: status, contentType: "application/json", bytes: body.serialized())
    }
}
