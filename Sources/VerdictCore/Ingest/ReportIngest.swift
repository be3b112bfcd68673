import HTTPContract
import VerdictDB
import VerdictJSON
import VerdictReports
import VerdictS3

/// What an upload produced, as the upload endpoints answer it.
public struct IngestedReport: Sendable {
    public var runID: RunID
    public var reportID: ReportID
    public var shard: String
    public var format: String?
    public var toolName: String?
    public var toolVersion: String?
    public var totals: ReportTotals
    public var durationMs: Double?
    public var warnings: [String]
    public var runStatus: RunStatus
    public var reportsCompleted: Int
    public var totalReportsExpected: Int
    /// True when the report had been completed before (a retried upload): nothing was written.
    public var alreadyCompleted: Bool
}

/// Hands the cases of a report to `emit` as they are parsed and returns the rest of the report.
typealias CaseProducer = (_ emit: (ParsedCase) throws -> Void) throws -> ReportSummary

/// Completes registered reports: verifies their files in the bucket, parses the report and
/// writes its rows in one transaction together with the run's new totals and status.
public struct ReportIngest {
    let db: PostgresConnection
    let store: ObjectStore

    public init(db: PostgresConnection, store: ObjectStore) {
        self.db = db
        self.store = store
    }

    /// `POST /reports/{id}/complete`: reads the report's files from the bucket (the report file
    /// into `scratchDirectory`), checks each against its declared size and SHA-256, ingests.
    /// Completing a completed report returns its summary and writes nothing.
    /// - Parameter progress: told the number of cases stored so far, every `progressInterval`
    ///   cases, while a large report is being stored.
    public func complete(
        _ reportID: ReportID, for access: TeamAccess, scratchDirectory: String, progress: ((Int) -> Void)? = nil
    ) throws -> IngestedReport {
        guard
            let report = try db.query(
                """
                SELECT rep.status, rep.run_id, rep.requested_format, r.project_id
                FROM reports rep JOIN runs r ON r.id = rep.run_id JOIN projects p ON p.id = r.project_id
                WHERE rep.id = $1 AND p.team_id = $2
                """, [reportID.text, access.teamID.text]
            ).first
        else { throw ServiceError.notFound(reportID.named) }
        if try report.decode("status", as: ReportStatus.self) == .completed { return try summary(of: reportID, alreadyCompleted: true) }

        let reportPath = "\(scratchDirectory)/verdict-report-\(reportID)"
        defer { ScratchFile.remove(reportPath) }
        // A report up to this size is read from memory; a larger one streams through /tmp.
        var reportBytes: [UInt8]?
        var uploaded: [String: StoredObject] = [:]
        let files = try db.query(
            "SELECT name, kind, size, sha256, object_key, content_type FROM report_files WHERE report_id = $1 ORDER BY kind DESC, name",
            [reportID.text])
        for file in files.rows {
            let name = try file.decode("name", as: String.self)
            let isReport = try file.decode("kind", as: DeclaredFile.Kind.self) == .report
            let declaredSize = try file.decode("size", as: Int.self)
            let objectKey = try file.decode("object_key", as: String.self)
            let declaredDigest = try file.decode("sha256", as: String.self)
            let got: DownloadedObject?
            if isReport, declaredSize <= Self.inMemoryReportBytes {
                var bytes: [UInt8] = []
                got = try store.download(objectKey, into: &bytes, keepingAtMost: declaredSize)
                reportBytes = bytes
            } else {
                got = try store.download(objectKey, to: isReport ? reportPath : nil)
            }
            guard let got else {
                throw ServiceError.refused(
                    .fileNotUploaded,
                    "'\(name)' has not been uploaded: PUT it to the URL the registration returned, then complete again")
            }
            guard got.size == declaredSize else {
                throw ServiceError.refused(
                    .sizeMismatch,
                    "'\(name)' is \(got.size) bytes in the bucket but was registered as \(declaredSize) bytes")
            }
            guard got.sha256Hex == declaredDigest else {
                throw ServiceError.refused(
                    .checksumMismatch,
                    "'\(name)' in the bucket has SHA-256 \(got.sha256Hex), not the registered \(declaredDigest)")
            }
            if !isReport {
                uploaded[name] = StoredObject(key: objectKey, size: got.size, contentType: try file.decodeIfPresent("content_type"))
            }
        }

        let format = try report.decodeIfPresent("requested_format", as: String.self).flatMap(ReportFormat.init(rawValue:))
        return try ingest(
            reportID: reportID, runID: try report.decode("run_id"), projectID: try report.decode("project_id"), uploaded: uploaded,
            produce: reportBytes.map { Self.producer(bytes: $0, format: format) } ?? Self.producer(file: reportPath, format: format),
            progress: progress)
    }

    /// How often a large ingest reports its progress, in cases.
    public static let progressInterval = 5_000

    /// Reports up to 32 MiB are parsed from memory (the function has 1 GB): the disk round trip
    /// costs more than the parse of such a file.
    static let inMemoryReportBytes = 32 * 1024 * 1024

    /// Writes a registered report's rows and completes it, unless a concurrent call already did.
    func ingest(
        reportID: ReportID, runID: RunID, projectID: ProjectID, uploaded: [String: StoredObject], produce: CaseProducer,
        progress: ((Int) -> Void)? = nil
    ) throws -> IngestedReport {
        let resolver = AttachmentResolver(uploaded: uploaded, store: store, reportID: reportID.text)
        let writer = try ReportRowWriter(runID: runID.text, reportID: reportID.text, projectID: projectID.text, attachments: resolver)
        let written: IngestedReport? = try db.transaction {
            let status = try db.query("SELECT status, shard FROM reports WHERE id = $1 FOR UPDATE", [reportID.text]).first
            guard let status, try status.decode("status", as: ReportStatus.self) == .registered else { return nil }

            var parsed: ReportSummary?
            try db.copy(into: "cases", columns: ReportRowWriter.caseColumns) { copy in
                var stored = 0
                parsed = try produce { testCase in
                    try writer.write(testCase, suiteIndex: testCase.suiteIndex, into: copy)
                    stored += 1
                    if let progress, stored % Self.progressInterval == 0 { progress(stored) }
                }
            }
            guard let report = parsed else { return nil }
            try db.copy(into: "suites", columns: ReportRowWriter.suiteColumns, rows: try writer.suiteRows(report.suites))
            try db.copy(into: "attempts", columns: ReportRowWriter.attemptColumns, rows: writer.attemptRows)
            try db.copy(into: "attachments", columns: ReportRowWriter.attachmentColumns, rows: writer.attachmentRows)
            try db.copy(into: "test_scope_spans", columns: ReportRowWriter.spanColumns, rows: writer.finishedSpans())
            try writer.clusters.save(projectID: projectID.text, runID: runID.text, db: db)

            let totals = writer.totals
            let warnings = report.warnings + resolver.warnings
            let startedAt = report.startedAtMs.map(EpochMilliseconds.rfc3339)
            let endedAt = report.startedAtMs.map { EpochMilliseconds.rfc3339($0 + Int64(report.durationMs ?? 0)) }
            try db.query(
                """
                UPDATE reports SET status = 'completed', completed_at = now(), format = $2, tool_name = $3, tool_version = $4,
                    started_at = $5::timestamptz, duration_ms = $6::double precision, tests = $7::integer, passed = $8::integer,
                    failed = $9::integer, skipped = $10::integer, errors = $11::integer, flaky = $12::integer,
                    warnings = $13::jsonb, run_errors = $14::jsonb, cases_in_suite_order = $15::boolean
                WHERE id = $1
                """,
                [
                    reportID.text, report.format.rawValue, report.toolName, report.toolVersion, startedAt,
                    report.durationMs.map { "\($0)" },
                    String(totals.tests), String(totals.passed), String(totals.failed), String(totals.skipped),
                    String(totals.errors), String(totals.flaky), Self.json(.array(warnings.map { .string($0) })),
                    Self.json(.array(report.runErrors.map(\.json))), writer.casesInSuiteOrder ? "true" : "false",
                ])
            try db.query("UPDATE report_files SET verified_at = now() WHERE report_id = $1", [reportID.text])
            let run = try db.query(
                """
                UPDATE runs SET tests = tests + $2::integer, passed = passed + $3::integer, failed = failed + $4::integer,
                    skipped = skipped + $5::integer, errors = errors + $6::integer, flaky = flaky + $7::integer,
                    reports_completed = reports_completed + 1, last_activity_at = now(),
                    started_at = LEAST(started_at, $8::timestamptz), ended_at = GREATEST(ended_at, $9::timestamptz),
                    status = CASE WHEN orchestrated THEN status
                                  WHEN reports_completed + 1 >= total_reports_expected THEN 'completed' ELSE 'running' END,
                    completed_at = CASE WHEN orchestrated THEN completed_at
                                        WHEN reports_completed + 1 >= total_reports_expected THEN now() END
                WHERE id = $1
                RETURNING status, reports_completed, total_reports_expected
                """,
                [
                    runID.text, String(totals.tests), String(totals.passed), String(totals.failed), String(totals.skipped),
                    String(totals.errors), String(totals.flaky), startedAt, endedAt,
                ]
            ).first!
            return IngestedReport(
                runID: runID, reportID: reportID, shard: try status.decode("shard"), format: report.format.rawValue,
                toolName: report.toolName, toolVersion: report.toolVersion, totals: totals, durationMs: report.durationMs,
                warnings: warnings, runStatus: try run.decode("status"), reportsCompleted: try run.decode("reports_completed"),
                totalReportsExpected: try run.decode("total_reports_expected"), alreadyCompleted: false)
        }
        return try written ?? summary(of: reportID, alreadyCompleted: true)
    }

    /// A completed report's summary, as stored.
    func summary(of reportID: ReportID, alreadyCompleted: Bool) throws -> IngestedReport {
        guard
            let row = try db.query(
                """
                SELECT rep.run_id, rep.shard, rep.format, rep.tool_name, rep.tool_version, rep.duration_ms, rep.tests, rep.passed,
                    rep.failed, rep.skipped, rep.errors, rep.flaky, rep.warnings::text AS warnings, r.status AS run_status,
                    r.reports_completed, r.total_reports_expected
                FROM reports rep JOIN runs r ON r.id = rep.run_id WHERE rep.id = $1
                """, [reportID.text]
            ).first
        else { throw ServiceError.notFound(reportID.named) }
        let warnings = try row.json("warnings").arrayValue?.compactMap(\.stringValue) ?? []
        return IngestedReport(
            runID: try row.decode("run_id"), reportID: reportID, shard: try row.decode("shard"), format: try row.decodeIfPresent("format"),
            toolName: try row.decodeIfPresent("tool_name"), toolVersion: try row.decodeIfPresent("tool_version"),
            totals: ReportTotals(
                tests: try row.decode("tests"), passed: try row.decode("passed"), failed: try row.decode("failed"),
                skipped: try row.decode("skipped"), errors: try row.decode("errors"), flaky: try row.decode("flaky")),
            durationMs: try row.decodeIfPresent("duration_ms"), warnings: warnings, runStatus: try row.decode("run_status"),
            reportsCompleted: try row.decode("reports_completed"), totalReportsExpected: try row.decode("total_reports_expected"),
            alreadyCompleted: alreadyCompleted)
    }

    /// Feeds an already parsed report's cases.
    static func producer(_ report: ParsedReport) -> CaseProducer {
        { emit in
            for testCase in report.cases { try emit(testCase) }
            return ReportSummary(
                format: report.format, toolName: report.toolName, toolVersion: report.toolVersion, startedAtMs: report.startedAtMs,
                durationMs: report.durationMs, suites: report.suites, runErrors: report.runErrors, warnings: report.warnings,
                totals: report.totals)
        }
    }

    /// Parses the report file while its cases go into the open COPY: memory stays flat however
    /// large the report. A bad file aborts the COPY and the transaction with it.
    static func producer(file path: String, format: ReportFormat?) -> CaseProducer {
        streaming { sink throws(ReportStreamError) in try ReportParser.parse(file: path, format: format, into: &sink) }
    }

    /// `producer(file:format:)` for a report already in memory.
    static func producer(bytes: [UInt8], format: ReportFormat?) -> CaseProducer {
        streaming { sink throws(ReportStreamError) in try ReportParser.parse(bytes, format: format, into: &sink) }
    }

    private static func streaming(
        _ parse: @escaping (inout EmittingSink) throws(ReportStreamError) -> ReportSummary
    ) -> CaseProducer {
        { emit in
            do {
                return try withoutActuallyEscaping(emit) { emit throws(ReportStreamError) in
                    var sink = EmittingSink(emit: emit)
                    return try parse(&sink)
                }
            } catch {
                guard let error = error as? ReportStreamError else { throw error }
                switch error {
                case .parse(let parseError): throw parseError
                case .sink(let sinkError): throw sinkError.underlying ?? sinkError
                case .unreadable(_, let reason):
                    throw ServiceError.refused(.storageUnavailable, "the downloaded report could not be read: \(reason)")
                }
            }
        }
    }

    static func json(_ value: JSON) -> String { String(decoding: value.serialized(), as: UTF8.self) }
}

/// Passes each parsed case on; a failure to store it (the database) stops the parse.
private struct EmittingSink: ReportSink {
    let emit: (ParsedCase) throws -> Void

    mutating func accept(_ testCase: ParsedCase) throws(ReportSinkError) {
        do {
            try emit(testCase)
        } catch {
            throw ReportSinkError("storing case '\(testCase.title)' failed: \(error)", underlying: error)
        }
    }
}
