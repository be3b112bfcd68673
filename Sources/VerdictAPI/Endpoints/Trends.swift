import VerdictCore
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/projects/{project}/trends?branch=&since=&until=&bucket=`: the project's
/// completed runs per day, week or month, empty buckets included.
public struct GetProjectTrends: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let trends = try TrendsService(db: try context.database()).trends(try request.trendsQuery(), as: context.access)
        return .json(trends.json)
    }
}

extension HTTPRequest {
    /// The trends query of the API and the trends page alike.
    public func trendsQuery() throws -> TrendsQuery {
        var bucket = TrendBucket.day
        if let text = nonEmptyQuery("bucket") {
            guard let parsed = TrendBucket(rawValue: text) else {
                throw APIError.invalidParameter("bucket", "must be one of \(TrendBucket.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            bucket = parsed
        }
        return TrendsQuery(
            project: try projectReference(), branch: nonEmptyQuery("branch"), since: try timestampQuery("since"),
            until: try timestampQuery("until"), bucket: bucket)
    }
}

extension ProjectTrends {
    var json: JSON {
        [
            "project": ["id": .string(project.id.text), "name": .string(project.name)], "branch": JSON(branch),
            "bucket": .string(bucket.rawValue), "since": .string(since), "until": .string(until),
            "buckets": .array(buckets.map(\.json)),
        ]
    }
}

extension TrendPoint {
    var json: JSON {
        [
            "start": .string(start), "end": .string(end), "runs": JSON(runs), "failed_runs": JSON(failedRuns), "tests": JSON(totals.tests),
            "passed": JSON(totals.passed), "failed": JSON(totals.failed), "errors": JSON(totals.errors), "skipped": JSON(totals.skipped),
            "flaky": JSON(totals.flaky), "failures": JSON(failures), "pass_rate": JSON(passRate), "flaky_rate": JSON(flakyRate),
            "duration_p50_ms": JSON(durationP50Milliseconds), "duration_p95_ms": JSON(durationP95Milliseconds),
        ]
    }
}
