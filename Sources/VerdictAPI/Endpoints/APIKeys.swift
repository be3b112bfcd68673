import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON

extension APIKeyRecord {
    var json: JSON {
        [
            "id": .string(id), "team_id": .string(teamID), "name": .string(name), "prefix": .string(prefix),
            "scopes": JSON(scopes.map(\.rawValue)), "created_at": .string(createdAt), "last_used_at": JSON(lastUsedAt),
            "expires_at": JSON(expiresAt), "revoked_at": JSON(revokedAt),
        ]
    }
}

/// `POST /api/v1/keys`: mints a key for the caller's team. The response is the only place the
/// secret ever appears.
public struct CreateAPIKey: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let principal = try Authentication.require(.admin, for: request)
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["name", "scopes", "expires_at"])
        let name = try body.requiredString("name")
        let scopeNames = try body.strings("scopes") ?? [Scope.read.rawValue, Scope.write.rawValue]
        var scopes: [Scope] = []
        for scopeName in scopeNames {
            guard let scope = Scope(rawValue: scopeName) else {
                throw APIError.invalidParameter("scopes", "unknown scope '\(scopeName)' (expected read, write or admin)")
            }
            scopes.append(scope)
        }
        let created = try APIKeyService(db: try Database.shared()).create(
            teamID: principal.teamID, name: name, scopes: scopes, expiresAt: try body.string("expires_at"), createdBy: principal.keyID)
        var json = created.record.json.objectValue!
        json["key"] = .string(created.secret)
        return .json(
            .object(json), status: 201, headers: [("location", "/api/v1/keys/\(created.record.id)"), ("cache-control", "no-store")])
    }
}

/// `GET /api/v1/keys`: the team's keys, newest first; `?include_revoked=true` shows revoked ones.
public struct ListAPIKeys: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let principal = try Authentication.require(.admin, for: request)
        let includeRevoked: Bool
        switch request.query("include_revoked") {
        case nil, "false": includeRevoked = false
        case "true": includeRevoked = true
        default: throw APIError.invalidParameter("include_revoked", "must be true or false")
        }
        let page = try APIKeyService(db: try Database.shared()).list(
            teamID: principal.teamID, limit: try request.limit(), after: try request.cursor(), includeRevoked: includeRevoked)
        return .json(["items": .array(page.items.map(\.json)), "next_cursor": JSON(page.nextCursor?.token)])
    }
}

/// `DELETE /api/v1/keys/{id}`: revokes a key of the caller's team; repeating it is harmless.
public struct RevokeAPIKey: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let principal = try Authentication.require(.admin, for: request)
        let revoked = try APIKeyService(db: try Database.shared()).revoke(
            teamID: principal.teamID, keyID: try request.requiredPathParameter("id"))
        return .json(revoked.json)
    }
}
