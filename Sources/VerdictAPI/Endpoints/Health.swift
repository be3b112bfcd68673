import VerdictHTTP
import VerdictJSON

/// `GET /health`: liveness. Touches nothing but the process, so it answers even when the
/// database is down.
public struct Health: Endpoint {
    public typealias Access = Anyone

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Anyone.Granted>) async throws -> HTTPResponse {
        .json(
            .object(
                JSONObject([
                    ("status", "ok"), ("service", "verdict"), ("version", .string(VerdictVersion.current)),
                    ("function", .string(context.settings.functionName)),
                ])), headers: [("cache-control", "no-store")])
    }
}

public enum VerdictVersion {
    public static let current = "0.1.0"
}
