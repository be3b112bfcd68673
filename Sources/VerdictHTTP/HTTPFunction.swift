import LambdaRuntime
import VerdictJSON

/// What a Verdict endpoint implements: one request in, one response out. Throwing `APIError`
/// answers with the error envelope; any other error is logged and answered as an internal error,
/// so a client never sees a bare Lambda failure.
public protocol HTTPHandler {
    mutating func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse
}

/// Adapts an `HTTPHandler` to the Lambda runtime: decodes the API Gateway event and encodes the
/// response (or error envelope) back.
public struct HTTPFunction<Handler: HTTPHandler>: LambdaHandler {
    var handler: Handler

    public init(_ handler: Handler) { self.handler = handler }

    public mutating func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let request = try HTTPRequest(event: try JSON.parse(payload))
        let response: HTTPResponse
        do {
            response = try await handler.handle(request, context: context)
        } catch let error as APIError {
            response = .error(error)
        } catch let error as any ErrorResponseConvertible {
            let apiError = error.apiError
            if apiError.status >= 500 {
                StandardStreams.log("[\(context.requestID)] \(request.method) \(request.rawPath) failed: \(error)")
            }
            response = .error(apiError)
        } catch {
            StandardStreams.log("[\(context.requestID)] \(request.method) \(request.rawPath) failed: \(error)")
            response = .error(.internalError())
        }
        return response.event.serialized()
    }

    /// Runs `handler` as this process's Lambda function.
    public static func run(_ makeHandler: () async throws -> Handler) async -> Never {
        await LambdaRuntime.run { HTTPFunction(try await makeHandler()) }
    }
}

/// Errors from lower layers (the database, storage) that know which HTTP answer they deserve.
public protocol ErrorResponseConvertible: Error {
    var apiError: APIError { get }
}
