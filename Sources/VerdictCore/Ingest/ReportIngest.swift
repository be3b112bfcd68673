import HTTPContract
import VerdictDB
import VerdictJSON
import VerdictReports
import VerdictS3

/// What an upload produced, as the upload endpoints answer it.
public struct IngestedReport: Sendable {
    public var runID: String
    public var reportID: String
    public var shard: String
    public var format: String?
    public var toolName: String?
    public var toolVersion: String?
    public var totals: ReportTotals
    public var durationMs: Double?
    public var warnings: [String]
    public var runStatus: String
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
    let store: ObjectStore?

    public init(db: PostgresConnection, store: ObjectStore?) {
        self.db = db
        self.store = store
    }

    /// `POST /reports/{id}/complete`: reads the report's files from the bucket (the report file
    /// into `scratchDirectory`), checks each against its declared size and SHA-256, ingests.
    /// Completing a completed report returns its summary and writes nothing.
    public func complete(teamID: String, reportID: String, scratchDirectory: String) throws -> IngestedReport {
        guard UUIDText.isValid(reportID) else { throw ServiceError.invalid(field: "id", reason: "must be a UUID") }
        guard
            let report = try db.query(
                """
                SELECT rep.status, rep.run_id, rep.requested_format, r.project_id
                FROM reports rep JOIN runs r ON r.id = rep.run_id JOIN projects p ON p.id = r.project_id
                WHERE rep.id = $1 AND p.team_id = $2
                """, [reportID, teamID]
            ).first
        else { throw ServiceError.notFound("report \(reportID)") }
        if report.string("status") == "completed" { return try summary(of: reportID, alreadyCompleted: true) }
        guard let store else { throw ServiceError.refused(.storageUnavailable, "the artifacts bucket is not configured") }

        let reportPath = "\(scratchDirectory)/verdict-report-\(reportID)"
        defer { ScratchFile.remove(reportPath) }
        // A report up to this size is read from memory; a larger one streams through /tmp.
        var reportBytes: [UInt8]?
        var uploaded: [String: StoredObject] = [:]
        let files = try db.query(
            "SELECT name, kind, size, sha256, object_key FROM report_files WHERE report_id = $1 ORDER BY kind DESC, name",
            [reportID])
        for file in files.rows {
            let name = file.string("name")
            let isReport = file.string("kind") == "report"
            let declaredSize = file.int("size") ?? -1
            let got: DownloadedObject?
            if isReport, declaredSize <= Self.inMemoryReportBytes {
                var bytes: [UInt8] = []
                got = try store.download(file.string("object_key"), into: &bytes, keepingAtMost: declaredSize)
                reportBytes = bytes
            } else {
                got = try store.download(file.string("object_key"), to: isReport ? reportPath : nil)
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
            guard got.sha256Hex == file.string("sha256") else {
                throw ServiceError.refused(
                    .checksumMismatch,
                    "'\(name)' in the bucket has SHA-256 \(got.sha256Hex), not the registered \(file.string("sha256"))")
            }
            if !isReport { uploaded[name] = StoredObject(key: file.string("object_key"), size: got.size) }
        }

        let format = report["requested_format"].flatMap(ReportFormat.init(rawValue:))
        return try ingest(
            reportID: reportID, runID: report.string("run_id"), projectID: report.string("project_id"), uploaded: uploaded,
            produce: reportBytes.map { Self.producer(bytes: $0, format: format) } ?? Self.producer(file: reportPath, format: format))
    }

    /// Reports up to 32 MiB are parsed from memory (the function has 1 GB): the disk round trip
    /// costs more than the parse of such a file.
    static let inMemoryReportBytes = 32 * 1024 * 1024

    /// Writes a registered report's rows and completes it, unless a concurrent call already did.
    func ingest(
        reportID: String, runID: String, projectID: String, uploaded: [String: StoredObject], produce: CaseProducer
    ) throws -> IngestedReport {
        let resolver = AttachmentResolver(uploaded: uploaded, store: store, reportID: reportID)
        let writer = try ReportRowWriter(runID: runID, reportID: reportID, projectID: projectID, attachments: resolver)
        let written: IngestedReport? = try db.transaction {
            let status = try db.query("SELECT status, shard FROM reports WHERE id = $1 FOR UPDATE", [reportID]).first
            guard let status, status.string("status") == "registered" else { return nil }

            var parsed: ReportSummary?
            try db.copy(into: "cases", columns: ReportRowWriter.caseColumns) { copy in
                parsed = try produce { testCase in try writer.write(testCase, suiteIndex: testCase.suiteIndex, into: copy) }
            }
            guard let report = parsed else { return nil }
            try db.copy(into: "suites", columns: ReportRowWriter.suiteColumns, rows: try writer.suiteRows(report.suites))
            try db.copy(into: "attempts", columns: ReportRowWriter.attemptColumns, rows: writer.attemptRows)
            try db.copy(into: "attachments", columns: ReportRowWriter.attachmentColumns, rows: writer.attachmentRows)
            try db.copy(into: "test_scope_spans", columns: ReportRowWriter.spanColumns, rows: writer.finishedSpans())

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
                    reportID, report.format.rawValue, report.toolName, report.toolVersion, startedAt, report.durationMs.map { "\($0)" },
                    String(totals.tests), String(totals.passed), String(totals.failed), String(totals.skipped),
                    String(totals.errors), String(totals.flaky), Self.json(.array(warnings.map { .string($0) })),
                    Self.json(.array(report.runErrors.map(\.json))), writer.casesInSuiteOrder ? "true" : "false",
                ])
            try db.query("UPDATE report_files SET verified_at = now() WHERE report_id = $1", [reportID])
            let run = try db.query(
                """
                UPDATE runs SET tests = tests + $2::integer, passed = passed + $3::integer, failed = failed + $4::integer,
                    skipped = skipped + $5::integer, errors = errors + $6::integer, flaky = flaky + $7::integer,
                    reports_completed = reports_completed + 1, last_activity_at = now(),
                    started_at = LEAST(started_at, $8::timestamptz), ended_at = GREATEST(ended_at, $9::timestamptz),
                    status = CASE WHEN reports_completed + 1 >= total_reports_expected THEN 'completed' ELSE 'running' END,
                    completed_at = CASE WHEN reports_completed + 1 >= total_reports_expected THEN now() END
                WHERE id = $1
                RETURNING status, reports_completed, total_reports_expected
                """,
                [
                    runID, String(totals.tests), String(totals.passed), String(totals.failed), String(totals.skipped),
                    String(totals.errors), String(totals.flaky), startedAt, endedAt,
                ]
            ).first!
            return IngestedReport(
                runID: runID, reportID: reportID, shard: status.string("shard"), format: report.format.rawValue,
                toolName: report.toolName, toolVersion: report.toolVersion, totals: totals, durationMs: report.durationMs,
                warnings: warnings, runStatus: run.string("status"), reportsCompleted: run.int("reports_completed") ?? 0,
                totalReportsExpected: run.int("total_reports_expected") ?? 0, alreadyCompleted: false)
        }
        return try written ?? summary(of: reportID, alreadyCompleted: true)
    }

    /// A completed report's summary, as stored.
    func summary(of reportID: String, alreadyCompleted: Bool) throws -> IngestedReport {
        guard
            let row = try db.query(
                """
                SELECT rep.run_id, rep.shard, rep.format, rep.tool_name, rep.tool_version, rep.duration_ms, rep.tests, rep.passed,
                    rep.failed, rep.skipped, rep.errors, rep.flaky, rep.warnings::text AS warnings, r.status AS run_status,
                    r.reports_completed, r.total_reports_expected
                FROM reports rep JOIN runs r ON r.id = rep.run_id WHERE rep.id = $1
                """, [reportID]
            ).first
        else { throw ServiceError.notFound("report \(reportID)") }
        let warnings = (try? JSON.parse(Array(row.string("warnings").utf8)))?.arrayValue?.compactMap(\.stringValue) ?? []
        return IngestedReport(
            runID: row.string("run_id"), reportID: reportID, shard: row.string("shard"), format: row["format"],
            toolName: row["tool_name"], toolVersion: row["tool_version"],
            totals: ReportTotals(
                tests: row.int("tests") ?? 0, passed: row.int("passed") ?? 0, failed: row.int("failed") ?? 0,
                skipped: row.int("skipped") ?? 0, errors: row.int("errors") ?? 0, flaky: row.int("flaky") ?? 0),
            durationMs: row.double("duration_ms"), warnings: warnings, runStatus: row.string("run_status"),
            reportsCompleted: row.int("reports_completed") ?? 0, totalReportsExpected: row.int("total_reports_expected") ?? 0,
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
                case .unreadable(_, let reason): throw ServiceError.refused(.storageUnavailable, "the downloaded report could not be read: \(reason)")
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
