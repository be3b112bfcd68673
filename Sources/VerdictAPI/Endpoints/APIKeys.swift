import VerdictCore
import VerdictHTTP
import VerdictJSON

extension APIKeyRecord {
    var json: JSON {
        [
            "id": .string(id.text), "team_id": .string(teamID.text), "name": .string(name), "prefix": .string(prefix),
            "scopes": JSON(scopes.map(\.rawValue)), "created_at": .string(createdAt), "last_used_at": JSON(lastUsedAt),
            "expires_at": JSON(expiresAt), "revoked_at": JSON(revokedAt),
        ]
    }
}

/// `POST /api/v1/keys`: mints a key for the caller's team. The response is the only place the
/// secret ever appears.
public struct CreateAPIKey: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
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
        let created = try APIKeyService(db: try context.database()).create(
            for: context.access, name: name, scopes: scopes, expiresAt: try body.string("expires_at"))
        var json = created.record.json.objectValue!
        json["key"] = .string(created.secret)
        return .json(
            .object(json), status: 201,
            headers: [("location", "/api/v1/keys/\(created.record.id.text)"), ("cache-control", "no-store")])
    }
}

/// `GET /api/v1/keys`: the team's keys, newest first; `?include_revoked=true` shows revoked ones.
public struct ListAPIKeys: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let includeRevoked: Bool
        switch request.query("include_revoked") {
        case nil, "false": includeRevoked = false
        case "true": includeRevoked = true
        default: throw APIError.invalidParameter("include_revoked", "must be true or false")
        }
        let page = try APIKeyService(db: try context.database()).list(
            for: context.access, limit: try request.limit(), after: try request.cursor(), includeRevoked: includeRevoked)
        return .json(page.json(\.json))
    }
}

/// `DELETE /api/v1/keys/{id}`: revokes a key of the caller's team; repeating it is harmless.
public struct RevokeAPIKey: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let revoked = try APIKeyService(db: try context.database()).revoke(try request.pathID("id"), for: context.access)
        return .json(revoked.json)
    }
}
