import HTTPContract
import LambdaRuntime
import Logging
import VerdictCore
import VerdictHTTP
import VerdictJSON

/// What API Gateway hands a function: an HTTP request, or an event of the WebSocket API.
public protocol GatewayEvent: Sendable {
    init(gatewayEvent: JSON) throws
    /// The API key the caller sent, if any.
    var presentedKey: String? { get }
    /// What every log line of the invocation says about the event.
    var logMetadata: Logger.Metadata { get }
}

/// A function behind API Gateway: one event in, one response out, for the caller its `Access`
/// policy admits. Throwing `APIError` (or an error that knows its answer) answers with the
/// error envelope; anything else is logged and answered 500 `internal`, so a client never sees
/// a bare Lambda failure.
public protocol GatewayHandler {
    associatedtype Event: GatewayEvent
    associatedtype Access: AccessPolicy
    mutating func handle(_ event: Event, context: InvocationContext<Access.Granted>) async throws -> HTTPResponse
}

/// An HTTP endpoint.
public protocol Endpoint: GatewayHandler where Event == HTTPRequest {}

/// A route of the WebSocket API (`$connect`, `$disconnect`, `$default`). The answer's status
/// matters only to `$connect`, where anything but 2xx refuses the connection; what a client
/// should read is pushed to it through `@connections`.
public protocol SocketEndpoint: GatewayHandler where Event == WebSocketEvent {}

/// Runs a handler as a Lambda function behind API Gateway: decodes the event, admits the caller
/// by the handler's policy, builds the invocation's context and encodes the answer.
public struct GatewayFunction<Handler: GatewayHandler>: LambdaHandler {
    var handler: Handler
    let resources: FunctionResources

    public init(_ handler: Handler, resources: FunctionResources) {
        self.handler = handler
        self.resources = resources
    }

    public mutating func handle(_ payload: [UInt8], context lambda: LambdaContext) async throws -> [UInt8] {
        try await respond(to: Handler.Event(gatewayEvent: try JSON.parse(payload)), lambda: lambda).event.serialized()
    }

    /// The answer to one event; what a test calls to run a handler in process.
    public mutating func respond(to event: Handler.Event, lambda: LambdaContext) async -> HTTPResponse {
        var logger = lambda.logger
        for (key, value) in event.logMetadata { logger[metadataKey: key] = value }
        do {
            let resources = self.resources
            let access = try Handler.Access.grant(presentedKey: Handler.Access.readsKey ? event.presentedKey : nil) { key in
                try APIKeyService(db: try resources.database()).authenticate(key)
            }
            var context = InvocationContext(access: access, lambda: lambda, resources: resources)
            context.logger = logger
            return try await handler.handle(event, context: context)
        } catch {
            let apiError = APIError.answering(error)
            if apiError.status >= 500 {
                logger.error("request failed", metadata: ["error": "\(error)", "code": "\(apiError.code.rawValue)"])
            }
            return .error(apiError)
        }
    }

    public mutating func afterResponse(context: LambdaContext) async { resources.runAfterResponse() }

    /// Serves `handler` as this process's Lambda function.
    public static func run(_ handler: Handler) async -> Never {
        await LambdaRuntime.run { GatewayFunction(handler, resources: .fromEnvironment()) }
    }
}

public typealias APIFunction<Handler: Endpoint> = GatewayFunction<Handler>
public typealias SocketFunction<Handler: SocketEndpoint> = GatewayFunction<Handler>

extension HTTPRequest: GatewayEvent {
    public init(gatewayEvent: JSON) throws { try self.init(event: gatewayEvent) }
    public var logMetadata: Logger.Metadata { ["route": .string("\(method) \(rawPath)")] }
}

extension WebSocketEvent: GatewayEvent {
    public init(gatewayEvent: JSON) throws { try self.init(event: gatewayEvent) }

    /// A key sent with the connection's opening request, as for HTTP requests.
    public var presentedKey: String? {
        HTTPRequest(
            method: "GET", rawPath: "/", headers: ["x-api-key": header("x-api-key") ?? "", "authorization": header("authorization") ?? ""]
        ).presentedKey
    }

    public var logMetadata: Logger.Metadata { ["route": .string(routeKey), "connection_id": .string(connectionID)] }
}

extension APIError {
    /// The answer a client gets for `error`: its own when it knows it, else 500 `internal`.
    public static func answering(_ error: any Error) -> APIError {
        if let error = error as? APIError { return error }
        if let error = error as? any ErrorResponseConvertible { return error.apiError }
        return .internalError()
    }
}

/// A function invoked by the platform rather than by a client: at start (migrations, the
/// seed) or on a schedule (the reaper). JSON in, JSON out; a thrown error is an invocation error.
public protocol Job {
    mutating func run(_ event: JSON, context: InvocationContext<Platform>) async throws -> JSON
}

/// The caller of a `Job`: Lambda itself, on the stack's behalf.
public struct Platform: Sendable {}

public struct JobFunction<Handler: Job>: LambdaHandler {
    var handler: Handler
    let resources: FunctionResources

    public mutating func handle(_ payload: [UInt8], context lambda: LambdaContext) async throws -> [UInt8] {
        let event = payload.isEmpty ? JSON.object(JSONObject()) : try JSON.parse(payload)
        let context = InvocationContext(access: Platform(), lambda: lambda, resources: resources)
        return try await handler.run(event, context: context).serialized()
    }

    public mutating func afterResponse(context: LambdaContext) async { resources.runAfterResponse() }

    public static func run(_ handler: Handler) async -> Never {
        await LambdaRuntime.run { JobFunction(handler: handler, resources: .fromEnvironment()) }
    }
}
