import VerdictCore
import VerdictDB
import VerdictHTTP

/// Resolves the API key a request carries (`X-API-Key: <key>` or `Authorization: Bearer <key>`).
public enum Authentication {
    public static func presentedKey(_ request: HTTPRequest) -> String? {
        if let key = request.header("x-api-key"), !key.isEmpty { return key }
        if let authorization = request.header("authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmed() }
        }
        return nil
    }

    /// The caller, who must hold `scope`; 401 without a valid key, 403 without the scope.
    public static func require(_ scope: Scope, for request: HTTPRequest) throws -> Principal {
        guard let key = presentedKey(request) else {
            throw APIError.unauthorized("an API key is required: send it as X-API-Key or Authorization: Bearer")
        }
        guard let principal = try APIKeyService(db: try Database.shared()).authenticate(key) else {
            throw APIError.unauthorized("the API key is invalid, expired or revoked")
        }
        guard principal.has(scope) else {
            throw APIError.forbidden("this API key lacks the '\(scope.rawValue)' scope")
        }
        return principal
    }
}
