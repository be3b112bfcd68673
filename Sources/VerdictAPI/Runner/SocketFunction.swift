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
        await Admission<Handler.Access>.serve(
            presentedKey: Self.presentedKey(event), lambda: lambda, resources: resources,
            metadata: ["route": .string(event.routeKey), "connection_id": .string(event.connectionID)]
        ) { context in try await handler.handle(event, context: context) }
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
