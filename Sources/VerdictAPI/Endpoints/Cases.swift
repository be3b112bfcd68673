import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/runs/{id}/cases`: the run's cases in report order, narrowed by status (one or a
/// comma-separated list), a title substring (`q`), report and test.
public struct ListRunCases: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let filter = CaseFilter(
            statuses: try request.nonEmptyQuery("status").map { value throws(ServiceError) in try ReadParameter.caseStatuses(value) },
            titleContains: request.nonEmptyQuery("q"), reportID: try request.uuidQuery("report"),
            testID: try request.uuidQuery("test_id"))
        let page = try CaseQueries(db: try Database.shared()).list(
            runID: try request.requiredPathParameter("id"), filter, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}

/// `GET /api/v1/cases/{id}`: one case with every attempt and attachment.
public struct GetCase: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let detail = try CaseDetailQuery(db: try Database.shared()).get(id: try request.requiredPathParameter("id"))
        return .json(detail.json)
    }
}

/// `GET /api/v1/tests/{test_id}/history`: the test's results across runs, newest first.
public struct GetTestHistory: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let history = try TestHistory(db: try Database.shared()).history(
            testID: try request.requiredPathParameter("test_id"), limit: try request.limit(), after: try request.cursor())
        var object = history.results.json(\.json).objectValue!
        object["test"] = history.test.json
        return .json(.object(object))
    }
}
