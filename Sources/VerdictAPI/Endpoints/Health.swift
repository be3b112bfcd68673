import LambdaRuntime
import VerdictHTTP
import VerdictJSON

#if canImport(Glibc)
    import Glibc
#endif

/// `GET /health`: liveness. Touches nothing but the process, so it answers even when the
/// database is down.
public struct Health: HTTPHandler {
    let body: [UInt8]

    public init() {
        let function = getenv("AWS_LAMBDA_FUNCTION_NAME").map { String(cString: $0) }
        body = JSON.object(
            JSONObject([
                ("status", "ok"), ("service", "verdict"), ("version", .string(VerdictVersion.current)), ("function", JSON(function)),
            ])
        ).serialized()
    }

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("content-type", "application/json"), ("cache-control", "no-store")], body: body)
    }
}

public enum VerdictVersion {
    public static let current = "0.1.0"
}
