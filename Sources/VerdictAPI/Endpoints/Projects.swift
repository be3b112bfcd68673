import VerdictCore
import VerdictHTTP
import VerdictJSON

extension ProjectRecord {
    var json: JSON {
        [
            "id": .string(id.text), "team_id": .string(teamID.text), "name": .string(name), "public": .bool(isPublic),
            "public_override": JSON(publicOverride), "repository": JSON(repositoryURL),
            "default_branch": JSON(defaultBranch), "created_at": .string(createdAt),
            "auto_quarantine": .bool(autoQuarantine), "quarantine_release_after": JSON(quarantineReleaseAfter),
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
/// "https://github.com/org/repo"|null}` names where its code lives; `{"default_branch": "main"|null}`
/// the branch runs of other branches are compared against. Fields left out stay.
public struct UpdateProject: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        let fields = ["public", "repository", "default_branch", "auto_quarantine", "quarantine_release_after"]
        try body.rejectUnknown(allowed: Set(fields))
        guard fields.contains(where: { body.object[$0] != nil }) else {
            throw APIError.invalidParameter(
                "public", "a change names public, repository, default_branch, auto_quarantine or quarantine_release_after")
        }
        if let value = body.object["auto_quarantine"], value.boolValue == nil {
            throw APIError.invalidParameter("auto_quarantine", "must be true or false")
        }
        var releaseAfter: Int?
        if body.object["quarantine_release_after"] != nil {
            guard let count = try body.int("quarantine_release_after") else {
                throw APIError.invalidParameter("quarantine_release_after", "must be a whole number from 1 to 1000")
            }
            guard (1...1000).contains(count) else {
                throw APIError.invalidParameter("quarantine_release_after", "must be a whole number from 1 to 1000")
            }
            releaseAfter = Int(count)
        }
        let change = ProjectChange(
            isPublic: body.object["public"] == nil ? nil : .some(try body.bool("public")),
            repositoryURL: body.object["repository"] == nil ? nil : .some(try body.string("repository")),
            defaultBranch: body.object["default_branch"] == nil ? nil : .some(try body.string("default_branch")),
            autoQuarantine: try body.bool("auto_quarantine"), quarantineReleaseAfter: releaseAfter)
        let db = try context.database()
        let projectID = try context.pathProject(request)
        let project = try ProjectService(db: db).update(projectID, change, for: context.access)
        return .json(project.json)
    }
}
