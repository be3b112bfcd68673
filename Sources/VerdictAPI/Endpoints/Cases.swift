import VerdictCore
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/runs/{id}/cases`: the run's cases in report order, narrowed by status (one or a
/// comma-separated list), a title substring (`q`), report and test.
public struct ListRunCases: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let filter = CaseFilter(
            statuses: try request.nonEmptyQuery("status").map { value throws(ServiceError) in try ReadParameter.caseStatuses(value) },
            titleContains: request.nonEmptyQuery("q"), reportID: try request.idQuery("report"), testID: try request.idQuery("test_id"))
        let page = try CaseQueries(db: try context.database()).list(
            try request.pathID("id"), filter, as: context.access, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}

/// `GET /api/v1/cases/{id}`: one case with every attempt and attachment.
public struct GetCase: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        .json(try CaseDetailQuery(db: try context.database()).get(try request.pathID("id"), as: context.access).json)
    }
}

/// `GET /api/v1/tests/{test_id}/history`: the test's results across runs, newest first.
public struct GetTestHistory: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let history = try TestHistory(db: try context.database()).history(
            try request.pathID("test_id"), as: context.access, limit: try request.limit(), after: try request.cursor())
        var object = history.results.json(\.json).objectValue!
        object["test"] = history.test.json
        return .json(.object(object))
    }
}

/// `GET /api/v1/runs/{id}/failures`: the run's failed, errored and flaky cases in report order,
/// each with its first error's type and stack and its attachments: what a run page shows first.
public struct ListRunFailures: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let page = try RunFailures(db: try context.database()).list(
            try request.pathID("id"), as: context.access, limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}
