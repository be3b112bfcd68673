import HTTPContract
import VerdictCore
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/runs/{id}/clusters`: the run's failures grouped by cluster, largest first, each
/// with its template (the reason they were grouped), its category and whether this run is the
/// first where it was seen.
public struct ListRunClusters: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let runID: RunID = try request.pathID("id")
        let page = try ClusterReads(db: try context.database()).clusters(
            of: runID, as: context.access, limit: try request.limit(), after: try request.cursor())
        var object = page.json(\.json).objectValue!
        object["run_id"] = .string(runID.text)
        return .json(.object(object))
    }
}

/// `GET /api/v1/clusters/{id}`: a cluster across the runs the caller may see: the projects it
/// appeared in (first and last seen, occurrences), the tests it hit most and its latest runs.
public struct GetCluster: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let detail = try ClusterReads(db: try context.database()).detail(try request.pathID("id"), as: context.access)
        var object = detail.look.json.objectValue!
        // Summaries are each project's own (written from its failures): they are in `projects`.
        object["summary"] = nil
        object["first_seen_at"] = .string(detail.projects.map(\.firstSeenAt).min() ?? "")
        object["last_seen_at"] = .string(detail.projects.map(\.lastSeenAt).max() ?? "")
        object["occurrences"] = JSON(detail.projects.reduce(0) { $0 + $1.occurrences })
        object["projects"] = .array(
            detail.projects.map { sighting in
                [
                    "project_id": .string(sighting.projectID.text), "project": .string(sighting.project),
                    "category": JSON(sighting.category),
                    "first_seen_at": .string(sighting.firstSeenAt), "first_run_id": .string(sighting.firstRunID.text),
                    "last_seen_at": .string(sighting.lastSeenAt), "last_run_id": .string(sighting.lastRunID.text),
                    "occurrences": JSON(sighting.occurrences), "summary": sighting.summary.json,
                ]
            })
        object["tests"] = .array(
            detail.tests.map { test in
                [
                    "test_id": .string(test.testID.text), "full_title": .string(test.fullTitle), "occurrences": JSON(test.occurrences ?? 0),
                    "last_seen_at": JSON(test.lastSeenAt),
                ]
            })
        object["runs"] = .array(
            detail.runs.map { run in
                [
                    "run_id": .string(run.runID.text), "project": .string(run.project), "name": .string(run.name),
                    "branch": .string(run.branch), "commit": .string(run.commit), "created_at": .string(run.createdAt),
                    "failures": JSON(run.failures),
                ]
            })
        return .json(.object(object))
    }
}

extension ClusterLook {
    var json: JSON {
        [
            "id": .string(id.text), "error_type": JSON(errorType), "template": .string(template), "frames": JSON(frames),
            "category": JSON(category), "summary": summary.json,
        ]
    }
}

extension ClusterSummary? {
    var json: JSON {
        guard let summary = self else { return .null }
        return ["text": .string(summary.text), "generated_at": .string(summary.generatedAt)]
    }
}

/// `POST /api/v1/projects/{project}/clusters/{id}/summary`: runs the configured summary command
/// on the cluster as the project saw it and stores what it wrote (409 `summaries_disabled` when
/// none is configured, 502 `summary_failed` when it fails). Asking again writes a new one.
public struct SummarizeCluster: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let clusterID: ClusterID = try request.pathID("id")
        let summary = try ClusterSummaries(db: try context.database(), command: context.settings.summaryCommand).summarize(
            clusterID, project: try request.projectReference(), for: context.access)
        return .json(["cluster_id": .string(clusterID.text), "summary": Optional(summary).json])
    }
}

extension RunCluster {
    var json: JSON {
        var object = look.json.objectValue!
        object["count"] = JSON(count)
        object["tests_total"] = JSON(testsTotal)
        object["tests"] = .array(
            tests.map { test in
                [
                    "test_id": .string(test.testID.text), "case_id": JSON(test.caseID?.text), "full_title": .string(test.fullTitle),
                    "status": JSON(test.status?.rawValue),
                ]
            })
        object["first_seen_at"] = .string(firstSeenAt)
        object["first_run_id"] = .string(firstRunID.text)
        object["new"] = .bool(isNew)
        return .object(object)
    }
}

/// `GET /api/v1/projects/{project}/categories`: the project's rules that name failure clusters, in
/// the order they are tried.
public struct ListFailureCategories: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let db = try context.database()
        let projectID = try context.pathProject(request)
        let rules = try FailureCategories(db: db).list(projectID, as: context.access)
        return .json(FailureCategory.json(rules, projectID: projectID))
    }
}

/// `PUT /api/v1/projects/{project}/categories`: replaces the rules (`{"categories": [{"name",
/// "pattern"}]}`, first match wins); the same body again changes nothing.
public struct ReplaceFailureCategories: Endpoint {
    public typealias Access = AdministersTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let db = try context.database()
        let projectID = try context.pathProject(request)
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["categories"])
        guard let list = body.object["categories"]?.arrayValue else {
            throw APIError.invalidParameter("categories", "must be an array of {\"name\", \"pattern\"} rules")
        }
        var rules: [FailureCategory] = []
        for (index, item) in list.enumerated() {
            guard let object = item.objectValue else {
                throw APIError.invalidParameter("categories[\(index)]", "must be an object with a name and a pattern")
            }
            rules.append(try Self.rule(JSONFields(object), field: "categories[\(index)]"))
        }
        let stored = try FailureCategories(db: db).replace(projectID, with: rules, for: context.access)
        return .json(FailureCategory.json(stored, projectID: projectID))
    }

    /// One rule of the body; a problem with it names it (`categories[2].pattern`).
    static func rule(_ fields: JSONFields, field: String) throws(APIError) -> FailureCategory {
        do {
            try fields.rejectUnknown(allowed: ["name", "pattern"])
            return FailureCategory(name: try fields.requiredString("name"), pattern: try fields.requiredString("pattern"))
        } catch {
            guard error.code == .invalidParameter else { throw error }
            throw APIError(.invalidParameter, "\(field).\(error.message)")
        }
    }
}

extension FailureCategory {
    static func json(_ rules: [FailureCategory], projectID: ProjectID) -> JSON {
        [
            "project_id": .string(projectID.text),
            "categories": .array(rules.map { ["name": .string($0.name), "pattern": .string($0.pattern)] }),
        ]
    }
}
