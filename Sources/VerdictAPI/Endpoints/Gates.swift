import HTTPContract
import VerdictCore
import VerdictHTTP
import VerdictInsights
import VerdictJSON

/// `GET /api/v1/projects/{project}/gates`: the project's quality gates.
public struct ListGates: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let db = try context.database()
        let projectID = try context.pathProject(request)
        let gates = try QualityGates(db: db).list(projectID, as: context.access)
        return .json(["project_id": .string(projectID.text), "gates": .array(gates.map(\.json))])
    }
}

/// `POST /api/v1/projects/{project}/gates`: `{"name", "rules": [{"type", "params"}], "enabled"?}`
/// → 201 the gate; the same name and rules again → 200 the gate as it is.
public struct CreateGate: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let (gates, projectID, change) = try GateBody.read(request, context: context)
        guard let name = change.name else { throw APIError.invalidParameter("name", "is required") }
        guard let rules = change.rules else { throw APIError.invalidParameter("rules", "is required") }
        let (gate, created) = try gates.create(projectID, name: name, rules: rules, enabled: change.enabled ?? true, for: context.access)
        return .json(gate.json, status: created ? 201 : 200)
    }
}

/// `PATCH /api/v1/projects/{project}/gates/{gate}`: any of `name`, `rules`, `enabled`.
public struct UpdateGate: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let (gates, projectID, change) = try GateBody.read(request, context: context)
        guard change.name != nil || change.rules != nil || change.enabled != nil else {
            throw APIError.invalidParameter("name", "a change names name, rules or enabled")
        }
        let gate = try gates.update(try request.pathID("gate"), of: projectID, change, for: context.access)
        return .json(gate.json)
    }
}

/// `DELETE /api/v1/projects/{project}/gates/{gate}` → 204; its stored verdicts go with it.
public struct DeleteGate: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let db = try context.database()
        let projectID = try context.pathProject(request)
        try QualityGates(db: db).delete(try request.pathID("gate"), of: projectID, for: context.access)
        return .noContent()
    }
}

/// `GET /api/v1/runs/{id}/gates`: the verdicts stored for the run (at its completion, or the
/// latest on-demand evaluation).
public struct GetRunGates: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        .json(try GateRunner(db: try context.database()).stored(try request.pathID("id"), as: context.access).json)
    }
}

/// `POST /api/v1/runs/{id}/gates/evaluate`: judges the run by every enabled gate of its
/// project now, stores and answers the verdicts (what `verdict gate` calls from CI).
public struct EvaluateRunGates: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        .json(try GateRunner(db: try context.database()).evaluate(try request.pathID("id"), for: context.access).json)
    }
}

enum GateBody {
    /// The team's project the path names, and the body's `name`, `rules` and `enabled` as a
    /// change (what a create requires of them, it checks itself).
    static func read(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) throws -> (QualityGates, ProjectID, GateChange) {
        let db = try context.database()
        let projectID = try context.pathProject(request)
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["name", "rules", "enabled"])
        let change = GateChange(name: try body.string("name"), rules: try rules(body), enabled: try body.bool("enabled"))
        return (QualityGates(db: db), projectID, change)
    }

    /// The body's `rules`, each read strictly; nil when absent.
    static func rules(_ body: JSONFields) throws -> [GateRule]? {
        guard let value = body.object["rules"], !value.isNull else { return nil }
        guard let list = value.arrayValue else { throw APIError.invalidParameter("rules", "must be an array of {\"type\", \"params\"}") }
        return try list.enumerated().map { index, rule in try GateRule(json: rule, field: "rules[\(index)]") }
    }
}

extension QualityGate {
    var json: JSON {
        [
            "id": .string(id.text), "project_id": .string(projectID.text), "name": .string(name), "rules": .array(rules.map(\.json)),
            "enabled": .bool(enabled), "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
    }
}

extension RunGates {
    var json: JSON {
        [
            "run_id": .string(runID.text), "passed": .bool(passed),
            "gates": .array(
                gates.map { gate in
                    [
                        "id": .string(gate.gateID.text), "name": .string(gate.name), "passed": .bool(gate.passed),
                        "rules": .array(gate.rules.map(\.json)), "evaluated_at": JSON(gate.evaluatedAt),
                    ]
                }),
        ]
    }
}
