import VerdictDB
import VerdictJSON
import VerdictReports

/// Turns one report's parsed cases into rows: cases go straight into an open COPY as they
/// arrive; the few rows of the other tables (attempts that say more than their case,
/// attachments, suites) are buffered and copied once the cases are in.
final class ReportRowWriter {
    static let caseColumns = [
        "id", "run_id", "report_id", "suite_id", "ordinal", "test_id", "title", "full_title", "suite_path", "file", "line",
        "classname", "project_name", "status", "raw_status", "duration_ms", "started_at", "attempt_count", "error_message", "skip_reason",
        "tags", "annotations", "properties",
    ]
    static let attemptColumns = [
        "case_id", "report_id", "attempt", "status", "duration_ms", "started_at", "errors", "stdout", "stderr",
    ]
    static let attachmentColumns = [
        "id", "report_id", "case_id", "suite_id", "attempt", "name", "kind", "content_type", "path", "object_key", "size",
    ]
    static let suiteColumns = [
        "id", "report_id", "run_id", "ordinal", "name", "path", "file", "timestamp_text", "started_at", "duration_ms",
        "hostname", "properties", "system_out", "system_err", "errors", "tests", "passed", "failed", "skipped", "error_count",
        "flaky",
    ]

    let runID: String
    let reportID: String
    /// Test ids are derived from the project and the test's identity, so the same test in
    /// another run of the project gets the same id.
    private let testIDPrefix: String
    private let attachments: AttachmentResolver

    private(set) var totals = ReportTotals()
    private var ordinal = 0
    private(set) var attemptRows = CopyRows()
    private(set) var attachmentRows = CopyRows()
    /// Suite ids are minted when a suite is first referenced; cases may arrive before their
    /// suite's last attributes do.
    private var suiteIDs: [Int: String] = [:]
    private var suiteTotals: [Int: ReportTotals] = [:]

    init(runID: String, reportID: String, projectID: String, attachments: AttachmentResolver) {
        self.runID = runID
        self.reportID = reportID
        self.testIDPrefix = projectID + "|"
        self.attachments = attachments
    }

    var caseCount: Int { ordinal }

    func suiteID(_ index: Int) -> String {
        if let id = suiteIDs[index] { return id }
        let id = Identifier.timeOrdered()
        suiteIDs[index] = id
        return id
    }

    /// Writes one case (and buffers its attempts and attachments).
    func write(_ testCase: ParsedCase, suiteIndex: Int?, into copy: CopyIn) throws {
        let caseID = Identifier.timeOrdered()
        let suiteID = suiteIndex.map(suiteID)
        totals.count(testCase.status)
        if let suiteIndex { suiteTotals[suiteIndex, default: ReportTotals()].count(testCase.status) }
        let position = ordinal
        ordinal += 1

        try copy.row { row in
            row.raw(caseID)
            row.raw(runID)
            row.raw(reportID)
            if let suiteID { row.raw(suiteID) } else { row.null() }
            row.int(position)
            row.raw(Identifier.derived(from: testIDPrefix + testCase.identity))
            row.text(testCase.title)
            row.text(testCase.fullTitle)
            row.textArray(testCase.suitePath)
            row.text(testCase.file)
            row.int(testCase.line)
            row.text(testCase.classname)
            row.text(testCase.project)
            row.raw(testCase.status.rawValue)
            row.text(testCase.rawStatus)
            row.double(testCase.durationMs)
            row.text(testCase.attempts.first?.startedAtMs.map(EpochMilliseconds.rfc3339))
            row.int(testCase.attempts.count)
            row.text(Self.headlineError(testCase))
            row.text(testCase.skipReason)
            if testCase.tags.isEmpty { row.null() } else { row.textArray(testCase.tags) }
            row.json(testCase.annotations.isEmpty ? nil : .array(testCase.annotations.map(\.json)), emptyIsNull: true)
            row.json(testCase.properties.isEmpty ? nil : .array(testCase.properties.map(\.json)), emptyIsNull: true)
        }

        if Self.attemptsSayMore(testCase) {
            for attempt in testCase.attempts {
                attemptRows.raw(caseID)
                attemptRows.raw(reportID)
                attemptRows.int(attempt.index)
                attemptRows.raw(attempt.status.rawValue)
                attemptRows.double(attempt.durationMs)
                attemptRows.text(attempt.startedAtMs.map(EpochMilliseconds.rfc3339))
                attemptRows.json(attempt.errors.isEmpty ? nil : .array(attempt.errors.map(\.json)))
                attemptRows.text(attempt.stdout)
                attemptRows.text(attempt.stderr)
                attemptRows.endRow()
            }
        }
        for attachment in testCase.attachments {
            try addAttachment(attachment, caseID: caseID, suiteID: suiteID)
        }
    }

    /// The suites, complete now that the whole report has been read.
    func suiteRows(_ suites: [ParsedSuite]) throws -> CopyRows {
        var rows = CopyRows()
        for (index, suite) in suites.enumerated() {
            let id = suiteID(index)
            let counts = suiteTotals[index] ?? ReportTotals()
            rows.raw(id)
            rows.raw(reportID)
            rows.raw(runID)
            rows.int(index)
            rows.text(suite.name)
            rows.textArray(suite.path)
            rows.text(suite.file)
            rows.text(suite.timestamp)
            rows.text(suite.startedAtMs.map(EpochMilliseconds.rfc3339))
            rows.double(suite.durationMs)
            rows.text(suite.hostname)
            rows.json(suite.properties.isEmpty ? nil : .array(suite.properties.map(\.json)))
            rows.text(suite.systemOut)
            rows.text(suite.systemErr)
            rows.json(suite.errors.isEmpty ? nil : .array(suite.errors.map(\.json)))
            rows.int(counts.tests)
            rows.int(counts.passed)
            rows.int(counts.failed)
            rows.int(counts.skipped)
            rows.int(counts.errors)
            rows.int(counts.flaky)
            rows.endRow()
            for attachment in suite.attachments {
                try addAttachment(attachment, caseID: nil, suiteID: id)
            }
        }
        return rows
    }

    private func addAttachment(_ attachment: ParsedAttachment, caseID: String?, suiteID: String?) throws {
        let id = Identifier.timeOrdered()
        let stored = try attachments.resolve(attachment, id: id)
        attachmentRows.raw(id)
        attachmentRows.raw(reportID)
        if let caseID { attachmentRows.raw(caseID) } else { attachmentRows.null() }
        if let suiteID { attachmentRows.raw(suiteID) } else { attachmentRows.null() }
        attachmentRows.int(attachment.attempt)
        attachmentRows.text(attachment.name)
        attachmentRows.raw(attachment.kind.rawValue)
        attachmentRows.text(attachment.contentType)
        attachmentRows.text(attachment.path)
        attachmentRows.text(stored?.key)
        attachmentRows.int(stored?.size)
        attachmentRows.endRow()
    }

    /// A case with one attempt that carries nothing but the case's own status, duration and
    /// start (most passing tests) stores no attempt row; readers rebuild that attempt from the case.
    static func attemptsSayMore(_ testCase: ParsedCase) -> Bool {
        if testCase.attempts.count > 1 { return true }
        guard let only = testCase.attempts.first else { return false }
        return !only.errors.isEmpty || only.stdout != nil || only.stderr != nil || only.durationMs != testCase.durationMs
    }

    /// What a list shows for the case: the failure that decided it (the last failing attempt's
    /// first error) or, for a flaky case, the failure it recovered from.
    static func headlineError(_ testCase: ParsedCase) -> String? {
        let failing = testCase.attempts.filter { $0.status == .failed || $0.status == .errored }
        let attempt = testCase.status == .flaky ? failing.first : failing.last
        guard let error = attempt?.errors.first else { return nil }
        if let message = error.message, !message.isEmpty { return String(message.prefix(2000)) }
        if let type = error.type, !type.isEmpty { return type }
        return error.stack.map { String($0.prefix(while: { $0 != "\n" }).prefix(2000)) }
    }
}

extension CopyRows {
    /// A `jsonb` value; nil writes an empty array, or SQL NULL for columns where NULL means none.
    mutating func json(_ value: JSON?, emptyIsNull: Bool = false) {
        guard let value else { return emptyIsNull ? null() : raw("[]") }
        text(String(decoding: value.serialized(), as: UTF8.self))
    }
}

extension ParsedError {
    var json: JSON { ["message": JSON(message), "type": JSON(type), "stack": JSON(stack)] }
}

extension ParsedProperty {
    var json: JSON { ["name": .string(name), "value": .string(value)] }
}

extension ParsedAnnotation {
    var json: JSON { ["type": .string(type), "description": JSON(description)] }
}
