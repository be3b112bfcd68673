import VerdictCore
import VerdictHTTP
import VerdictJSON

extension Team {
    var json: JSON {
        [
            "id": .string(id.text), "slug": .string(slug), "name": .string(name),
            "projects_public_by_default": .bool(projectsPublicByDefault),
        ]
    }
}

/// `GET /api/v1/me`: who the calling key belongs to and what it may do.
public struct Me: Endpoint {
    public typealias Access = ReadsTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let access = context.access
        return .json([
            "team": access.team.json, "key": ["id": .string(access.keyID.text), "name": .string(access.keyName)],
            "scopes": JSON(access.scopes.map(\.rawValue)),
        ])
    }
}

/// `PATCH /api/v1/team`: the team's settings; `projects_public_by_default` decides whether a
/// project without a setting of its own can be read without the team's key.
public struct UpdateTeam: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["projects_public_by_default"])
        let settings = TeamSettings(db: try context.database())
        guard let isPublic = try body.bool("projects_public_by_default") else {
            return .json(try settings.team(context.access).json)
        }
        return .json(try settings.setProjectsPublicByDefault(isPublic, for: context.access).json)
    }
}
