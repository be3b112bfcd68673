import LambdaRuntime
import VerdictCore
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/me`: who the calling key belongs to and what it may do.
public struct Me: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let principal = try Authentication.require(.read, for: request)
        return .json([
            "team": ["id": .string(principal.teamID), "slug": .string(principal.teamSlug), "name": .string(principal.teamName)],
            "key": ["id": .string(principal.keyID), "name": .string(principal.keyName)],
            "scopes": JSON(principal.scopes.map(\.rawValue)),
        ])
    }
}
