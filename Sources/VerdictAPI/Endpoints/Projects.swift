import VerdictCore
import VerdictHTTP
import VerdictJSON

extension ProjectRecord {
    var json: JSON {
        [
            "id": .string(id.text), "team_id": .string(teamID.text), "name": .string(name), "public": .bool(isPublic),
            "public_override": JSON(publicOverride), "repository": JSON(repositoryURL), "created_at": .string(createdAt),
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

/// `PATCH /api/v1/projects/{project}` (its id or name): `{"public": true|false|null}` makes one of the team's
/// projects public or private, or (null) lets it follow the team's default; `{"repository":
/// "https://github.com/org/repo"|null}` names where its code lives. Fields left out stay.
public struct UpdateProject: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["public", "repository"])
        guard body.object["public"] != nil || body.object["repository"] != nil else {
            throw APIError.invalidParameter("public", "a change names public or repository")
        }
        let change = ProjectChange(
            isPublic: body.object["public"] == nil ? nil : .some(try body.bool("public")),
            repositoryURL: body.object["repository"] == nil ? nil : .some(try body.string("repository")))
        let db = try context.database()
        let projectID = try ProjectReference(db: db).resolve(try request.requiredPathParameter("project"), for: context.access)
        let project = try ProjectService(db: db).update(projectID, change, for: context.access)
        return .json(project.json)
    }
}
