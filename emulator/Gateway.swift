import Foundation
import HTTPContract
import NIOCore
import NIOHTTP1
import SAMTemplate
import VerdictJSON

/// The front door on port 8080: API Gateway HTTP API routing into function pools, the Lambda
/// Invoke API, and a few `/_emulator` endpoints for inspection and on-demand schedules.
final class Gateway: @unchecked Sendable {
    let pools: [String: FunctionPool]
    let routes: RouteTable<String>
    let scheduler: Scheduler
    let template: Template
    let webSocket: WebSocketGateway?

    init(template: Template, pools: [String: FunctionPool], scheduler: Scheduler, webSocket: WebSocketGateway? = nil) throws {
        self.template = template
        self.webSocket = webSocket
        self.pools = pools
        self.scheduler = scheduler
        routes = try RouteTable(template.functions.flatMap { function in function.routes.map { ($0, function.logicalID) } })
    }

    func pool(named name: String) -> FunctionPool? {
        if let pool = pools[name] { return pool }
        return pools.values.first { $0.definition.functionName == name }
    }

    func handle(_ request: ServerRequest, responder: Responder) {
        let path = request.path
        if path.hasPrefix("/2015-03-31/functions/") {
            invokeAPI(request, responder: responder)
        } else if let webSocket, path == webSocket.path {
            // Upgrades never get here (the listener's upgrader takes them); refusals and plain requests do.
            webSocket.answerNonUpgrade(request, responder: responder)
        } else if WebSocketGateway.owns(managementPath: path) {
            guard let webSocket else {
                responder.send(.error(.notFound, message: "the template declares no WebSocket API, so there is no @connections API"))
                return
            }
            webSocket.manage(request, responder: responder)
        } else if path.hasPrefix("/_emulator/") {
            admin(request, responder: responder)
        } else if LocalS3Endpoint.owns(path: path) {
            // Local S3 takes /_s3 before the gateway sees it (LocalS3Server.swift); reaching here
            // means the emulator was started with --s3-endpoint.
            responder.send(LocalS3Endpoint.disabledResponse())
        } else {
            route(request, responder: responder)
        }
    }

    // MARK: HTTP API

    func route(_ request: ServerRequest, responder: Responder) {
        guard let match = routes.match(method: request.method.rawValue, path: request.path), let pool = pools[match.target] else {
            // API Gateway's own answer for an unmatched route.
            responder.send(
                ServerResponse(status: .notFound, contentType: "application/json", bytes: Array(#"{"message":"Not Found"}"#.utf8)))
            return
        }
        if request.bodyTooLarge {
            responder.send(.error(.payloadTooLarge, message: "the request body exceeds \(PayloadLimits.invocationBytes) bytes"))
            return
        }
        let requestID = UUID().uuidString.lowercased()
        let event = request.httpAPIEvent(match: match, requestID: requestID)
        if event.count > PayloadLimits.invocationBytes {
            responder.send(
                .error(.payloadTooLarge, message: "the request event exceeds Lambda's \(PayloadLimits.invocationBytes)-byte limit"))
            return
        }
        pool.submit(
            Invocation(requestID: requestID, payload: event) { outcome in
                responder.send(Gateway.httpResponse(outcome, function: pool.name, requestID: requestID))
            })
    }

    static func httpResponse(_ outcome: InvocationOutcome, function: String, requestID: String) -> ServerResponse {
        switch outcome {
        case .success(let bytes):
            do throws(HTTPResponse.DecodingError) {
                return ServerResponse(try HTTPResponse(functionOutput: bytes))
            } catch {
                return .error(.invalidFunctionResponse, message: "\(function) returned a response API Gateway cannot use: \(error)")
            }
        case .functionError(let type, let body):
            let message = (try? JSON.parse(body))?["errorMessage"]?.stringValue ?? type
            // A runtime that measures its own response reports an oversize one as this error type.
            if type == "Function.ResponseSizeTooLarge" {
                return .error(.responseTooLarge, message: "\(function): \(message)")
            }
            return .error(.functionError, message: "\(function) failed: \(message)")
        case .timedOut(let seconds):
            return .error(
                .functionTimeout,
                message: "\(function) did not answer within its \(seconds) s timeout (request \(requestID))")
        case .crashed(let why):
            return .error(.functionCrashed, message: "\(function) crashed while serving request \(requestID): \(why)")
        case .initFailed(let why):
            return .error(.functionInitFailed, message: "\(function) could not start: \(why)")
        case .responseTooLarge(let size):
            return .error(
                .responseTooLarge, message: "\(function) returned \(size) bytes, over Lambda's \(PayloadLimits.invocationBytes)-byte limit")
        }
    }

    // MARK: Lambda Invoke API

    func invokeAPI(_ request: ServerRequest, responder: Responder) {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[3] == "invocations", request.method == .POST else {
            responder.send(
                awsError(.notFound, type: "UnknownOperationException", message: "unknown operation \(request.method) \(request.path)"))
            return
        }
        let name = PercentEncoding.decodePathSegment(parts[2])
        let functionName = name.split(separator: ":").count >= 7 ? String(name.split(separator: ":")[6]) : name
        guard let pool = pool(named: functionName) else {
            responder.send(
                awsError(
                    .notFound, type: "ResourceNotFoundException",
                    message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:\(functionName)"))
            return
        }
        if request.bodyTooLarge {
            responder.send(
                awsError(
                    .payloadTooLarge, type: "RequestEntityTooLargeException",
                    message: "Request must be smaller than \(PayloadLimits.invocationBytes) bytes for the InvokeFunction operation"))
            return
        }
        var clientContext: String?
        if let encoded = request.headers.first(name: "x-amz-client-context") {
            guard let bytes = Base64.decode(encoded), let text = String(validating: bytes, as: UTF8.self) else {
                responder.send(
                    awsError(
                        .badRequest, type: "InvalidRequestContentException", message: "X-Amz-Client-Context must be base64-encoded JSON"))
                return
            }
            clientContext = text
        }
        let payload = request.body.readableBytes == 0 ? Array("{}".utf8) : Array(buffer: request.body)
        let requestID = UUID().uuidString.lowercased()
        switch request.headers.first(name: "x-amz-invocation-type") ?? "RequestResponse" {
        case "RequestResponse":
            pool.submit(
                Invocation(requestID: requestID, payload: payload, clientContext: clientContext) { outcome in
                    responder.send(Gateway.invokeResponse(outcome, requestID: requestID))
                })
        case "Event":
            pool.submit(
                Invocation(requestID: requestID, payload: payload, clientContext: clientContext) { outcome in
                    if case .success = outcome { return }
                    Console.line(
                        "[\(pool.name)] asynchronous invocation \(requestID) failed: \(Gateway.invokeResponse(outcome, requestID: requestID).bodyText)"
                    )
                })
            responder.send(ServerResponse(status: .accepted, headers: [("x-amzn-requestid", requestID)]))
        case "DryRun":
            responder.send(ServerResponse(status: .noContent, headers: [("x-amzn-requestid", requestID)]))
        case let other:
            responder.send(
                awsError(
                    .badRequest, type: "InvalidParameterValueException",
                    message: "X-Amz-Invocation-Type \(other) is not RequestResponse, Event or DryRun"))
        }
    }

    /// Invoke answers 200 even when the function fails; the failure is flagged in a header and
    /// described in the body, as Lambda does.
    static func invokeResponse(_ outcome: InvocationOutcome, requestID: String) -> ServerResponse {
        var headers: [(String, String)] = [("x-amzn-requestid", requestID), ("x-amz-executed-version", "$LATEST")]
        func failure(_ type: String, _ message: String) -> ServerResponse {
            headers.append(("x-amz-function-error", "Unhandled"))
            let body: JSON = ["errorType": .string(type), "errorMessage": .string(message)]
            return ServerResponse(status: .ok, contentType: "application/json", bytes: body.serialized(), headers: headers)
        }
        switch outcome {
        case .success(let bytes):
            return ServerResponse(status: .ok, contentType: "application/json", bytes: bytes, headers: headers)
        case .functionError(_, let body):
            headers.append(("x-amz-function-error", "Unhandled"))
            return ServerResponse(status: .ok, contentType: "application/json", bytes: body, headers: headers)
        case .timedOut(let seconds):
            return failure("Sandbox.Timedout", "RequestId: \(requestID) Error: Task timed out after \(seconds).00 seconds")
        case .crashed(let why):
            return failure("Runtime.ExitError", "RequestId: \(requestID) Error: \(why)")
        case .initFailed(let why):
            return failure("Runtime.InitError", "RequestId: \(requestID) Error: \(why)")
        case .responseTooLarge(let size):
            return failure(
                "Function.ResponseSizeTooLarge",
                "Response payload size (\(size) bytes) exceeded maximum allowed payload size (\(PayloadLimits.invocationBytes) bytes).")
        }
    }

    func awsError(_ status: HTTPResponseStatus, type: String, message: String) -> ServerResponse {
        let body: JSON = ["Type": "User", "message": .string(message)]
        return ServerResponse(
            status: status, contentType: "application/json", bytes: body.serialized(), headers: [("x-amzn-errortype", type)])
    }

    // MARK: Emulator endpoints

    func admin(_ request: ServerRequest, responder: Responder) {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case (.GET, 2) where parts[1] == "functions":
            let items: [JSON] = pools.values.sorted { $0.name < $1.name }.map { pool in
                let stats = pool.stats
                return [
                    "name": .string(pool.name), "function_name": .string(pool.definition.functionName),
                    "routes": JSON(pool.definition.routes.map(\.routeKey)),
                    "timeout_seconds": .int(Int64(pool.definition.timeoutSeconds)), "memory_mb": .int(Int64(pool.definition.memoryMB)),
                    "max_concurrency": .int(Int64(pool.maxConcurrency)), "instances": .int(Int64(stats.workers)),
                    "idle": .int(Int64(stats.idle)), "busy": .int(Int64(stats.busy)), "queued": .int(Int64(stats.queued)),
                    "cold_starts": .int(Int64(stats.coldStarts)), "invocations": .int(Int64(stats.invocations)),
                ]
            }
            responder.send(
                ServerResponse(
                    status: .ok, contentType: "application/json",
                    bytes: JSON.object(JSONObject([("functions", .array(items))])).serialized()))
        case (.GET, 2) where parts[1] == "schedules":
            responder.send(
                ServerResponse(
                    status: .ok, contentType: "application/json",
                    bytes: JSON.object(JSONObject([("schedules", .array(scheduler.describe()))])).serialized()))
        case (.POST, 4) where parts[1] == "schedules" && parts[3] == "fire":
            let name = PercentEncoding.decodePathSegment(parts[2])
            guard
                scheduler.fire(
                    named: name,
                    completion: { requestID, outcome in
                        let response = Gateway.invokeResponse(outcome, requestID: requestID)
                        responder.send(response)
                    })
            else {
                responder.send(.error(.notFound, message: "no schedule named \(name) (see GET /_emulator/schedules)"))
                return
            }
        default:
            responder.send(.error(.notFound, message: "unknown emulator endpoint \(request.method) \(request.path)"))
        }
    }
}

extension ServerResponse {
    var bodyText: String { body.map { String(buffer: $0) } ?? "" }
}
