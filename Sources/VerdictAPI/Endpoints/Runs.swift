import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON

// Reads are public until teams and roles arrive: these handlers ask for no API key.

/// `GET /api/v1/runs`: runs, newest first, narrowed by project, branch, status and creation time.
public struct ListRuns: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let filter = RunFilter(
            project: request.nonEmptyQuery("project"), branch: request.nonEmptyQuery("branch"),
            status: try request.nonEmptyQuery("status").map { value throws(ServiceError) in try ReadParameter.runStatus(value) },
            since: try request.timestampQuery("since"), until: try request.timestampQuery("until"))
        let page = try RunQueries(db: try Database.shared()).list(filter, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}

/// `GET /api/v1/runs/{id}`: one run with a summary of each of its reports, in shard order.
public struct GetRun: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let detail = try RunQueries(db: try Database.shared()).get(id: try request.requiredPathParameter("id"))
        var object = detail.run.json.objectValue!
        object["reports"] = .array(detail.reports.map(\.json))
        return .json(.object(object))
    }
}

/// `GET /api/v1/runs/{id}/suites`: the run's suites in report order.
public struct ListRunSuites: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let page = try SuiteQueries(db: try Database.shared()).list(
            runID: try request.requiredPathParameter("id"), limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}
