import HTTPContract
import VerdictCore
import VerdictHTTP
import VerdictInsights
import VerdictJSON

extension QuarantineRecord {
    var json: JSON {
        [
            "id": .string(id), "project_id": .string(projectID.text), "test_id": .string(testID.text), "reason": .string(reason),
            "owner": .string(owner), "automatic": .bool(automatic), "created_at": .string(createdAt), "expires_at": .string(expiresAt),
            "lifted_at": JSON(liftedAt), "lift_reason": JSON(liftReason), "active": .bool(active),
        ]
    }
}

extension FlakinessVerdict {
    /// Score, failure rate, interval and evidence, as the list and the test page show them.
    var json: JSONObject {
        JSONObject([
            ("classification", .string(classification.rawValue)), ("score", JSON(score)), ("failure_rate", JSON(failureRate)),
            (
                "interval",
                [
                    "lower": JSON(failureRateInterval.lower), "upper": JSON(failureRateInterval.upper),
                    "level": JSON(failureRateInterval.level),
                ]
            ),
            (
                "evidence",
                [
                    "runs": JSON(evidence.runs), "failures": JSON(evidence.failures), "flips": JSON(evidence.flips),
                    "same_commit_contradictions": JSON(evidence.sameCommitContradictions),
                    "retry_passes": JSON(evidence.retryPasses), "excluded_burst_runs": JSON(evidence.excludedBurstRuns),
                    "trailing_clean_runs": JSON(evidence.trailingCleanRuns),
                    "last_seen": JSON(evidence.lastSeen.map(EpochMilliseconds.rfc3339)),
                ]
            ),
        ])
    }
}

extension FlakyTest {
    var json: JSON {
        var object = JSONObject([
            ("test_id", .string(testID.text)), ("full_title", .string(fullTitle)), ("file", JSON(file)),
        ])
        for (key, value) in verdict.json.pairs { object[key] = value }
        object["quarantine"] = quarantine.map(\.json) ?? .null
        return .object(object)
    }
}

/// `GET /api/v1/projects/{project}/flaky`: the branch's tests classified flaky or broken over
/// the window, ranked by score.
public struct ListFlakyTests: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let allowed: Set<String> = ["branch", "window_days", "classification", "limit", "cursor"]
        if let unknown = request.queryItems.first(where: { !allowed.contains($0.name) }) {
            throw APIError.invalidParameter(
                unknown.name, "is not a known parameter (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        var windowDays = FlakyList.defaultWindowDays
        if let text = request.query("window_days"), !text.isEmpty {
            guard let value = Int(text), (1...FlakinessHistory.retentionDays).contains(value) else {
                throw APIError.invalidParameter("window_days", "must be a whole number of days from 1 to \(FlakinessHistory.retentionDays)")
            }
            windowDays = value
        }
        var only: FlakinessClassification?
        if let text = request.query("classification"), !text.isEmpty {
            guard text == "flaky" || text == "broken" else {
                throw APIError.invalidParameter("classification", "must be flaky or broken")
            }
            only = FlakinessClassification(rawValue: text)
        }
        var branch = request.query("branch")
        if branch?.isEmpty == true { branch = nil }
        let list = try FlakyList(db: try context.database()).list(
            project: try request.projectReference(), branch: branch, windowDays: windowDays, only: only,
            as: context.access, limit: try request.limit(), after: try request.cursor())
        var object = list.page.json(\.json).objectValue!
        object["project"] = ["id": .string(list.project.id.text), "name": .string(list.project.name)]
        object["branch"] = .string(list.branch)
        object["window_days"] = JSON(list.windowDays)
        return .json(.object(object))
    }
}

/// `POST /api/v1/projects/{project}/quarantine`: `{test_id, reason, owner, expires_at?}`.
public struct CreateQuarantine: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["test_id", "reason", "owner", "expires_at"])
        let quarantine = QuarantineRequest(
            testID: try TestID(parsing: try body.requiredString("test_id"), field: "test_id"),
            reason: try body.requiredString("reason"), owner: try body.requiredString("owner"),
            expiresAt: try body.string("expires_at"))
        let (record, created) = try QuarantineService(db: try context.database()).create(
            quarantine, project: try request.projectReference(), for: context.access)
        return .json(record.json, status: created ? 201 : 200)
    }
}

/// `GET /api/v1/projects/{project}/quarantine`: the active quarantines (`?include=lifted`: all).
public struct ListQuarantines: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let allowed: Set<String> = ["include", "limit", "cursor"]
        if let unknown = request.queryItems.first(where: { !allowed.contains($0.name) }) {
            throw APIError.invalidParameter(
                unknown.name, "is not a known parameter (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        let include = request.query("include") ?? ""
        guard include.isEmpty || include == "lifted" else { throw APIError.invalidParameter("include", "must be lifted") }
        let page = try QuarantineService(db: try context.database()).list(
            project: try request.projectReference(), includeLifted: include == "lifted", as: context.access,
            limit: try request.limit(), after: try request.cursor())
        return .json(page.json(\.json))
    }
}

/// `DELETE /api/v1/projects/{project}/quarantine/{test_id}`: lifts the test's quarantine.
public struct LiftQuarantine: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let record = try QuarantineService(db: try context.database()).lift(
            try request.pathID("test_id"), project: try request.projectReference(), reason: nil, for: context.access)
        return .json(record.json)
    }
}
