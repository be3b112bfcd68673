import HTTPContract
import LambdaRuntime
import VerdictCore
import VerdictHTTP
import VerdictJSON

/// A route of the WebSocket API (`$connect`, `$disconnect`, `$default`), as API Gateway invokes
/// it. The answer's status matters only to `$connect`, where anything but 2xx refuses the
/// connection; what a client should read is pushed to it through `@connections`.
public protocol SocketEndpoint {
    associatedtype Access: AccessPolicy
    mutating func handle(_ event: WebSocketEvent, context: InvocationContext<Access.Granted>) async throws -> HTTPResponse
}

public struct SocketFunction<Handler: SocketEndpoint>: LambdaHandler {
    var handler: Handler
    let resources: FunctionResources

    public init(_ handler: Handler, resources: FunctionResources) {
        self.handler = handler
        self.resources = resources
    }

    public mutating func handle(_ payload: [UInt8], context lambda: LambdaContext) async throws -> [UInt8] {
        try await respond(to: WebSocketEvent(event: try JSON.parse(payload)), lambda: lambda).event.serialized()
    }

    /// The answer to one event; what a test calls to run the route in process.
    public mutating func respond(to event: WebSocketEvent, lambda: LambdaContext) async -> HTTPResponse {
        var logger = lambda.logger
        logger[metadataKey: "route"] = .string(event.routeKey)
        logger[metadataKey: "connection_id"] = .string(event.connectionID)
        do {
            let key = Handler.Access.readsKey ? Self.presentedKey(event) : nil
            let resources = self.resources
            let access = try Handler.Access.grant(presentedKey: key) { key in
                try APIKeyService(db: try resources.database()).authenticate(key)
            }
            var context = InvocationContext(access: access, lambda: lambda, resources: resources)
            context.logger = logger
            return try await handler.handle(event, context: context)
        } catch {
            let apiError = APIError.answering(error)
            if apiError.status >= 500 { logger.error("route failed", metadata: ["error": "\(error)"]) }
            return .error(apiError)
        }
    }

    /// A key sent with the connection's opening request, as for HTTP requests.
    static func presentedKey(_ event: WebSocketEvent) -> String? {
        HTTPRequest(
            method: "GET", rawPath: "/",
            headers: ["x-api-key": event.header("x-api-key") ?? "", "authorization": event.header("authorization") ?? ""]
        )
        .presentedKey
    }

    public static func run(_ handler: Handler) async -> Never {
        await LambdaRuntime.run { SocketFunction(handler, resources: .fromEnvironment()) }
    }
}
