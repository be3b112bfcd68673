import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON
import VerdictReports

extension IngestedReport {
    var json: JSON {
        [
            "run_id": .string(runID.text), "report_id": .string(reportID.text), "shard": .string(shard), "format": JSON(format),
            "tool": ["name": JSON(toolName), "version": JSON(toolVersion)],
            "summary": [
                "tests": JSON(totals.tests), "passed": JSON(totals.passed), "failed": JSON(totals.failed),
                "skipped": JSON(totals.skipped), "errors": JSON(totals.errors), "flaky": JSON(totals.flaky),
                "duration_ms": JSON(durationMs),
            ],
            "warnings": .array(warnings.map { .string($0) }),
            "run": [
                "id": .string(runID.text), "status": .string(runStatus.rawValue), "reports_completed": JSON(reportsCompleted),
                "total_reports_expected": JSON(totalReportsExpected),
            ],
            "duplicate": .bool(alreadyCompleted),
        ]
    }

    /// Tells the run's live followers that the report is in, and the run too when it was the last.
    /// A completed run's flaky watch list is updated first (again on a retried upload, which
    /// changes nothing when the first one got through).
    func announce<Access>(_ context: InvocationContext<Access>) {
        if !alreadyCompleted {
            let completed = JSONObject([
                ("report_id", .string(reportID.text)), ("shard", .string(shard)), ("report_totals", json["summary"] ?? .null),
            ])
            context.publish(.reportCompleted, run: runID, details: completed)
        }
        // A retried last shard runs the completion again (it is idempotent): the first call's
        // may not have finished. Only the first announces it.
        if runStatus == .completed { context.runCompleted(runID, announcing: alreadyCompleted ? [] : [(.runCompleted, JSONObject())]) }
    }

    /// 201 when this call stored the report, 200 when it had been stored before.
    var response: HTTPResponse {
        .json(json, status: alreadyCompleted ? 200 : 201, headers: [("location", "/api/v1/runs/\(runID.text)")])
    }
}

extension HTTPRequest {
    /// A `format` override, by the names `ReportFormat.named` accepts.
    func reportFormat(_ name: String?) throws(ReportParseError) -> ReportFormat? {
        guard let name, !name.isEmpty else { return nil }
        return try ReportFormat.named(name)
    }
}

/// `POST /api/v1/reports`: one report file as the body, the run's identity in the query.
public struct UploadReport: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let allowed: Set<String> = [
            "project", "commit", "branch", "ci_run_id", "ci_run_attempt", "name", "shard", "format", "filename",
            "total_reports_expected",
        ]
        if let unknown = request.queryItems.first(where: { !allowed.contains($0.name) }) {
            throw APIError.invalidParameter(
                unknown.name, "is not a known parameter (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        let identity = try RunIdentity(
            project: request.query("project"), commit: request.query("commit"), branch: request.query("branch"),
            ciRunID: request.query("ci_run_id"), ciRunAttempt: request.query("ci_run_attempt"), name: request.query("name"))
        var expected: Int?
        if let text = request.query("total_reports_expected") {
            guard let value = Int64(text) else { throw APIError.invalidParameter("total_reports_expected", "must be a whole number") }
            expected = try ExpectedReports.validate(value)
        }
        let uploaded = try OneShotUpload(db: try context.database(), store: try context.objectStore()).upload(
            identity, for: context.access, expected: expected,
            shard: try ShardName.validate(request.query("shard"), default: "1"),
            format: try request.reportFormat(request.query("format")), filename: request.query("filename"), bytes: request.body)
        uploaded.announce(context)
        return uploaded.response
    }
}

/// `POST /api/v1/reports/begin`: opens (or finds) a run that several shards will upload into.
public struct BeginRun: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["project", "commit", "branch", "ci_run_id", "ci_run_attempt", "name", "total_reports_expected"])
        let identity = try RunIdentity(
            project: try body.string("project"), commit: try body.string("commit"), branch: try body.string("branch"),
            ciRunID: try body.text("ci_run_id"), ciRunAttempt: try body.text("ci_run_attempt"), name: try body.string("name"))
        guard let expected = try ExpectedReports.validate(try body.int("total_reports_expected")) else {
            throw APIError.invalidParameter("total_reports_expected", "is required")
        }
        let (run, created) = try RunService(db: try context.database()).begin(identity, for: context.access, expected: expected)
        if created { context.publish(.runCreated, run: run.id) }
        return .json(
            [
                "run_id": .string(run.id.text), "status": .string(run.status.rawValue),
                "total_reports_expected": JSON(run.totalReportsExpected),
                "reports_completed": JSON(run.reportsCompleted), "created": .bool(created), "created_at": .string(run.createdAt),
            ], status: created ? 201 : 200, headers: [("location", "/api/v1/runs/\(run.id.text)")])
    }
}

/// `POST /api/v1/reports/register`: declares a shard's files and returns where to PUT them.
public struct RegisterReport: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["run_id", "shard", "format", "files"])
        let runID = try RunID(parsing: try body.requiredString("run_id"), field: "run_id")
        guard let list = body.object["files"]?.arrayValue else { throw APIError.invalidParameter("files", "must be an array of files") }
        var files: [DeclaredFile] = []
        for (index, element) in list.enumerated() {
            guard let object = element.objectValue else { throw APIError.invalidParameter("files[\(index)]", "must be an object") }
            let fields = JSONFields(object)
            try fields.rejectUnknown(allowed: ["name", "size", "sha256", "kind", "content_type"])
            files.append(
                try DeclaredFile(
                    name: try fields.string("name"), kind: try fields.string("kind") ?? (index == 0 ? "report" : nil),
                    size: try fields.int("size"), sha256: try fields.string("sha256"), contentType: try fields.string("content_type"),
                    field: "files[\(index)]"))
        }
        let registration = try ReportRegistrar(db: try context.database(), store: try context.objectStore()).register(
            runID, for: context.access, shard: try ShardName.validate(try body.text("shard")),
            format: try request.reportFormat(try body.string("format")), files: files)
        if registration.created {
            context.publish(
                .reportRegistered, run: registration.runID,
                details: JSONObject([("report_id", .string(registration.reportID.text)), ("shard", .string(registration.shard))]))
        }
        let uploads: [JSON] = registration.uploads.map {
            ["name": .string($0.name), "kind": .string($0.kind.rawValue), "method": "PUT", "url": .string($0.url)]
        }
        return .json(
            [
                "report_id": .string(registration.reportID.text), "run_id": .string(registration.runID.text),
                "shard": .string(registration.shard), "status": .string(registration.status.rawValue), "uploads": .array(uploads),
                "expires_in": JSON(registration.expiresIn),
                "complete_url": .string("/api/v1/reports/\(registration.reportID.text)/complete"),
            ], status: registration.created ? 201 : 200)
    }
}

/// `POST /api/v1/reports/{id}/complete`: ingests a registered report from the bucket.
public struct CompleteReport: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let reportID = try request.pathID("id", as: ReportID.self)
        let db = try context.database()
        let progress = try progressReporter(for: reportID, db: db, context: context)
        let completed = try ReportIngest(db: db, store: try context.objectStore()).complete(
            reportID, for: context.access, scratchDirectory: context.settings.scratchDirectory, progress: progress)
        completed.announce(context)
        return .json(completed.json, status: 200)
    }
}

extension CompleteReport {
    /// For a report with live followers, what sends `report.progress` while it is stored: the
    /// audience is read first, since during the COPY the connection can run nothing else.
    func progressReporter(for reportID: ReportID, db: PostgresConnection, context: InvocationContext<TeamAccess>) throws
        -> ((Int) -> Void)?
    {
        guard let events = try context.liveEvents(),
            let run = try db.query("SELECT run_id FROM reports WHERE id = $1", [reportID.text]).first
        else { return nil }
        let audience = try events.audience(of: try run.decode("run_id"))
        guard !audience.isEmpty else { return nil }
        return { stored in
            _ = try? events.send(
                .reportProgress, to: audience,
                details: JSONObject([("report_id", .string(reportID.text)), ("cases_ingested", .int(Int64(stored)))]),
                forgetGone: false)
        }
    }
}
