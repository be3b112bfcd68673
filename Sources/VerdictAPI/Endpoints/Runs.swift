import VerdictCore
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/runs`: runs, newest first, narrowed by project, branch, status and creation time.
public struct ListRuns: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let filter = RunFilter(
            project: request.nonEmptyQuery("project"), branch: request.nonEmptyQuery("branch"),
            status: try request.nonEmptyQuery("status").map { value throws(ServiceError) in try ReadParameter.runStatus(value) },
            since: try request.timestampQuery("since"), until: try request.timestampQuery("until"),
            commitPrefix: try request.nonEmptyQuery("commit").map { value throws(ServiceError) in try ReadParameter.commitPrefix(value) },
            ciRunID: request.nonEmptyQuery("ci_run_id"))
        let page = try RunQueries(db: try context.database()).list(
            filter, as: context.access, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}

/// `GET /api/v1/runs/{id}`: one run with a summary of each of its reports, in shard order.
public struct GetRun: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let detail = try RunQueries(db: try context.database()).get(try request.pathID("id"), as: context.access)
        var object = detail.run.json.objectValue!
        object["reports"] = .array(detail.reports.map(\.json))
        return .json(.object(object))
    }
}

/// `GET /api/v1/runs/{id}/suites`: the run's suites in report order.
public struct ListRunSuites: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let page = try SuiteQueries(db: try context.database()).list(
            try request.pathID("id"), as: context.access, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}
