import VerdictCore
import VerdictHTTP
import VerdictJSON

extension ProjectRecord {
    var json: JSON {
        [
            "id": .string(id.text), "team_id": .string(teamID.text), "name": .string(name), "public": .bool(isPublic),
            "public_override": JSON(publicOverride), "created_at": .string(createdAt),
        ]
    }
}

/// `GET /api/v1/projects`: the projects the caller may see, newest first.
public struct ListProjects: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let page = try ProjectService(db: try context.database()).list(
            as: context.access, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}

/// `PATCH /api/v1/projects/{id}`: `{"public": true|false|null}` makes one of the team's
/// projects public or private, or (null) lets it follow the team's default.
public struct UpdateProject: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["public"])
        guard body.object["public"] != nil else { throw APIError.invalidParameter("public", "is required (true, false or null)") }
        let project = try ProjectService(db: try context.database()).setPublic(
            try body.bool("public"), project: try request.pathID("id"), for: context.access)
        return .json(project.json)
    }
}
