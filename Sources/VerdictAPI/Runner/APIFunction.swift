import LambdaRuntime
import Logging
import VerdictCore
import VerdictHTTP
import VerdictJSON

/// An HTTP endpoint: one request in, one response out, for the caller its `Access` policy
/// admits. Throwing `APIError` (or an error that knows its answer) answers with the error
/// envelope; anything else is logged and answered 500 `internal`, so a client never sees a
/// bare Lambda failure.
public protocol Endpoint {
    associatedtype Access: AccessPolicy
    mutating func handle(_ request: HTTPRequest, context: InvocationContext<Access.Granted>) async throws -> HTTPResponse
}

/// Runs an `Endpoint` as a Lambda function behind API Gateway: decodes the payload-2.0 event,
/// admits the caller, builds the invocation's context and encodes the answer.
public struct APIFunction<Handler: Endpoint>: LambdaHandler {
    var handler: Handler
    let resources: FunctionResources

    public init(_ handler: Handler, resources: FunctionResources) {
        self.handler = handler
        self.resources = resources
    }

    public mutating func handle(_ payload: [UInt8], context lambda: LambdaContext) async throws -> [UInt8] {
        try await respond(to: HTTPRequest(event: try JSON.parse(payload)), lambda: lambda).event.serialized()
    }

    /// The response to one request; what a test calls to run an endpoint in process.
    public mutating func respond(to request: HTTPRequest, lambda: LambdaContext) async -> HTTPResponse {
        await Admission<Handler.Access>.serve(
            presentedKey: request.presentedKey, lambda: lambda, resources: resources,
            metadata: ["route": .string("\(request.method) \(request.rawPath)")]
        ) { context in try await handler.handle(request, context: context) }
    }

    /// Serves `handler` as this process's Lambda function.
    public static func run(_ handler: Handler) async -> Never {
        await LambdaRuntime.run { APIFunction(handler, resources: .fromEnvironment()) }
    }
}

/// What every kind of function does around its handler: admit the caller by the handler's
/// policy, build the invocation's context, and turn a failure into its answer (logged when it
/// is Verdict's own fault).
enum Admission<Access: AccessPolicy> {
    static func serve(
        presentedKey: String?, lambda: LambdaContext, resources: FunctionResources, metadata: Logger.Metadata,
        _ body: (InvocationContext<Access.Granted>) async throws -> HTTPResponse
    ) async -> HTTPResponse {
        var logger = lambda.logger
        for (key, value) in metadata { logger[metadataKey: key] = value }
        do {
            let access = try Access.grant(presentedKey: Access.readsKey ? presentedKey : nil) { key in
                try APIKeyService(db: try resources.database()).authenticate(key)
            }
            var context = InvocationContext(access: access, lambda: lambda, resources: resources)
            context.logger = logger
            return try await body(context)
        } catch {
            let apiError = APIError.answering(error)
            if apiError.status >= 500 {
                logger.error("request failed", metadata: ["error": "\(error)", "code": "\(apiError.code.rawValue)"])
            }
            return .error(apiError)
        }
    }
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

    public static func run(_ handler: Handler) async -> Never {
        await LambdaRuntime.run { JobFunction(handler: handler, resources: .fromEnvironment()) }
    }
}
