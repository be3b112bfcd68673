import VerdictCore
import VerdictHTTP
import VerdictJSON

extension ProjectRecord {
    var json: JSON {
        [
            "id": .string(id.text), "team_id": .string(teamID.text), "name": .string(name), "public": .bool(isPublic),
            "public_override": JSON(publicOverride), "repository": JSON(repositoryURL),
            "default_branch": JSON(defaultBranch), "created_at": .string(createdAt),
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
/// projects public or private, or (null) lets it follow the team's default; `{"repository":
/// "https://github.com/org/repo"|null}` names where its code lives; `{"default_branch": "main"|null}`
/// the branch runs of other branches are compared against. Fields left out stay.
public struct UpdateProject: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["public", "repository", "default_branch"])
        guard body.object["public"] != nil || body.object["repository"] != nil || body.object["default_branch"] != nil else {
            throw APIError.invalidParameter("public", "a change names public, repository or default_branch")
        }
        let change = ProjectChange(
            isPublic: body.object["public"] == nil ? nil : .some(try body.bool("public")),
            repositoryURL: body.object["repository"] == nil ? nil : .some(try body.string("repository")),
            defaultBranch: body.object["default_branch"] == nil ? nil : .some(try body.string("default_branch")))
        let project = try ProjectService(db: try context.database()).update(try request.pathID("id"), change, for: context.access)
        return .json(project.json)
    }
}
