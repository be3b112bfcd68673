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
        "tags", "annotations", "properties", "cluster_id",
    ]
    static let attemptColumns = [
        "case_id", "report_id", "ordinal", "attempt", "status", "duration_ms", "started_at", "error_messages", "error_types",
        "error_stacks",
        "stdout", "stderr",
    ]
    static let attachmentColumns = [
        "id", "report_id", "case_id", "suite_id", "attempt", "name", "kind", "content_type", "path", "object_key", "size",
    ]
    static let suiteColumns = [
        "id", "report_id", "run_id", "ordinal", "name", "path", "file", "timestamp_text", "started_at", "duration_ms",
        "hostname", "properties", "system_out", "system_err", "errors", "tests", "passed", "failed", "skipped", "error_count",
        "flaky",
    ]
    static let spanColumns = ["report_id", "first_ordinal", "last_ordinal", "run_id", "scope"]

    let runID: UUIDKey
    let reportID: UUIDKey
    /// Test ids are derived from the project and the test's identity, so the same test in
    /// another run of the project gets the same id. The name is built in this buffer, which
    /// keeps the project and the current suite's part of the name between cases.
    private var testIDName: [UInt8]
    private let testIDPrefixLength: Int
    private let projectID: String
    private var scope = SuiteScope()
    private let attachments: AttachmentResolver

    private(set) var totals = ReportTotals()
    /// The failure clusters of the report's failures, saved with its rows.
    private(set) var clusters = ClusterRecorder()
    private var ordinal = 0
    let attemptRows = CopyRows(columns: ReportRowWriter.attemptColumns.count)
    let attachmentRows = CopyRows(columns: ReportRowWriter.attachmentColumns.count)
    /// Test history's way in (see migration 9): a row per stretch of consecutive cases whose
    /// test ids share their scope. `spanScope` is the open stretch's, from `spanStart` on.
    private let spanRows = CopyRows(columns: ReportRowWriter.spanColumns.count)
    private var spanScope: UInt64?
    private var spanStart = 0
    /// Suite ids are minted when a suite is first referenced; cases may arrive before their
    /// suite's last attributes do.
    private var suiteIDs: [Int: UUIDKey] = [:]
    private var suiteTotals: [Int: ReportTotals] = [:]
    /// Whether the cases so far came suite by suite in suite order, suiteless ones last.
    private(set) var casesInSuiteOrder = true
    private var previousSuite = 0

    init(runID: String, reportID: String, projectID: String, attachments: AttachmentResolver) throws {
        guard let run = UUIDKey(runID), let report = UUIDKey(reportID) else {
            throw ServiceError.invalid(field: "id", reason: "must be a UUID")
        }
        self.runID = run
        self.reportID = report
        self.testIDName = Array((projectID + "|").utf8)
        self.testIDPrefixLength = testIDName.count
        self.projectID = projectID
        self.attachments = attachments
    }

    var caseCount: Int { ordinal }

    func suiteID(_ index: Int) -> UUIDKey {
        if let id = suiteIDs[index] { return id }
        let id = Identifier.timeOrderedKey()
        suiteIDs[index] = id
        return id
    }

    /// Writes one case (and buffers its attempts and attachments).
    func write(_ testCase: ParsedCase, suiteIndex: Int?, into copy: CopyIn) throws {
        let position = ordinal
        ordinal += 1
        let caseID = Identifier.caseKey(report: reportID, ordinal: position)
        let suiteID = suiteIndex.map(suiteID)
        totals.count(testCase.status)
        if let suiteIndex { suiteTotals[suiteIndex, default: ReportTotals()].count(testCase.status) }
        let suiteRank = suiteIndex ?? Int.max
        if suiteRank < previousSuite { casesInSuiteOrder = false }
        previousSuite = suiteRank
        if !scope.matches(testCase) {
            scope = SuiteScope(testCase)
            testIDName.removeSubrange(testIDPrefixLength...)
            TestIdentity.appendScope(file: testCase.file, suitePath: testCase.suitePath, to: &testIDName)
            scope.nameLength = testIDName.count
            scope.testIDPrefix = Identifier.testScopePrefix(projectID: projectID, file: testCase.file, suitePath: testCase.suitePath)
            openSpan(at: position, scope: scope.testIDPrefix)
        }
        testIDName.removeSubrange(scope.nameLength...)
        TestIdentity.appendTest(title: testCase.title, project: testCase.project, to: &testIDName)
        let testID = testIDName.withUnsafeBytes { Identifier.testKey(scopePrefix: scope.testIDPrefix, name: $0) }

        try copy.row { row in
            row.uuid(caseID)
            row.uuid(runID)
            row.uuid(reportID)
            row.uuid(suiteID)
            row.int32(position)
            row.uuid(testID)
            row.text(testCase.title)
            row.text(Self.storedFullTitle(testCase))
            row.field(encoded: scope.suitePathField)
            row.text(testCase.file)
            row.int32(testCase.line)
            row.text(testCase.classname)
            row.text(testCase.project)
            row.text(testCase.status.rawValue)
            row.text(testCase.rawStatus)
            row.double(testCase.durationMs)
            row.timestamp(epochMilliseconds: testCase.attempts.first?.startedAtMs)
            row.int32(testCase.attempts.count)
            row.text(Self.headlineError(testCase))
            row.text(testCase.skipReason)
            if testCase.tags.isEmpty { row.null() } else { row.textArray(testCase.tags) }
            row.json(testCase.annotations.isEmpty ? nil : .array(testCase.annotations.map(\.json)), emptyIsNull: true)
            row.json(testCase.properties.isEmpty ? nil : .array(testCase.properties.map(\.json)), emptyIsNull: true)
            if let fingerprint = ClusterRecorder.fingerprint(of: testCase) {
                clusters.add(fingerprint, failing: testCase.status == .failed || testCase.status == .errored)
                row.uuid(UUIDKey(fingerprint.id.uuid))
            } else {
                row.null()
            }
        }

        if Self.attemptsSayMore(testCase) {
            for attempt in testCase.attempts {
                attemptRows.uuid(caseID)
                attemptRows.uuid(reportID)
                attemptRows.int32(position)
                attemptRows.int32(attempt.index)
                attemptRows.text(attempt.status.rawValue)
                attemptRows.double(attempt.durationMs)
                attemptRows.timestamp(epochMilliseconds: attempt.startedAtMs)
                if attempt.errors.isEmpty {
                    attemptRows.null()
                    attemptRows.null()
                    attemptRows.null()
                } else {
                    attemptRows.textArray(attempt.errors.map(\.message))
                    attemptRows.textArray(attempt.errors.map(\.type))
                    attemptRows.textArray(attempt.errors.map(\.stack))
                }
                attemptRows.text(attempt.stdout)
                attemptRows.text(attempt.stderr)
                attemptRows.endRow()
            }
        }
        for attachment in testCase.attachments {
            try addAttachment(attachment, caseID: caseID, suiteID: suiteID)
        }
    }

    /// Starts a span at `position` unless the open one has the same scope (two suite scopes can
    /// hash alike; history filters by the whole test id anyway).
    private func openSpan(at position: Int, scope prefix: UInt64) {
        if let open = spanScope {
            if open == prefix { return }
            addSpan(scope: open, through: position - 1)
        }
        spanScope = prefix
        spanStart = position
    }

    private func addSpan(scope prefix: UInt64, through last: Int) {
        spanRows.uuid(reportID)
        spanRows.int32(spanStart)
        spanRows.int32(last)
        spanRows.uuid(runID)
        spanRows.int64(Identifier.testScope(high: prefix))
        spanRows.endRow()
    }

    /// Every span, the last one closed: call once, after the last case.
    func finishedSpans() -> CopyRows {
        if let open = spanScope { addSpan(scope: open, through: ordinal - 1) }
        spanScope = nil
        return spanRows
    }

    /// The suites, complete now that the whole report has been read.
    func suiteRows(_ suites: [ParsedSuite]) throws -> CopyRows {
        let rows = CopyRows(columns: Self.suiteColumns.count)
        for (index, suite) in suites.enumerated() {
            let id = suiteID(index)
            let counts = suiteTotals[index] ?? ReportTotals()
            rows.uuid(id)
            rows.uuid(reportID)
            rows.uuid(runID)
            rows.int32(index)
            rows.text(suite.name)
            rows.textArray(suite.path)
            rows.text(suite.file)
            rows.text(suite.timestamp)
            rows.timestamp(epochMilliseconds: suite.startedAtMs)
            rows.double(suite.durationMs)
            rows.text(suite.hostname)
            rows.json(suite.properties.isEmpty ? nil : .array(suite.properties.map(\.json)))
            rows.text(suite.systemOut)
            rows.text(suite.systemErr)
            rows.json(suite.errors.isEmpty ? nil : .array(suite.errors.map(\.json)))
            rows.int32(counts.tests)
            rows.int32(counts.passed)
            rows.int32(counts.failed)
            rows.int32(counts.skipped)
            rows.int32(counts.errors)
            rows.int32(counts.flaky)
            rows.endRow()
            for attachment in suite.attachments {
                try addAttachment(attachment, caseID: nil, suiteID: id)
            }
        }
        return rows
    }

    private func addAttachment(_ attachment: ParsedAttachment, caseID: UUIDKey?, suiteID: UUIDKey?) throws {
        let id = Identifier.timeOrderedKey()
        let stored = try attachments.resolve(attachment, id: id.text)
        attachmentRows.uuid(id)
        attachmentRows.uuid(reportID)
        attachmentRows.uuid(caseID)
        attachmentRows.uuid(suiteID)
        attachmentRows.int32(attachment.attempt)
        attachmentRows.text(attachment.name)
        attachmentRows.text(attachment.kind.rawValue)
        // The tool's word first, then what the uploader declared, then what the name implies.
        attachmentRows.text(
            attachment.contentType ?? stored?.contentType ?? MediaType.guess(fileName: attachment.path ?? attachment.name))
        attachmentRows.text(attachment.path)
        attachmentRows.text(stored?.key)
        attachmentRows.int64(stored.map { Int64($0.size) })
        attachmentRows.endRow()
    }

    /// A case with one attempt that carries nothing but the case's own status, duration and
    /// start (most passing tests) stores no attempt row; readers rebuild that attempt from the case.
    static func attemptsSayMore(_ testCase: ParsedCase) -> Bool {
        if testCase.attempts.count > 1 { return true }
        guard let only = testCase.attempts.first else { return false }
        return !only.errors.isEmpty || only.stdout != nil || only.stderr != nil || only.durationMs != testCase.durationMs
    }

    /// NULL when the full title is what the database's `case_full_title` derives (the title,
    /// or `classname.title`), byte for byte.
    static func storedFullTitle(_ testCase: ParsedCase) -> String? {
        guard testCase.hasDerivedFullTitle else { return testCase.fullTitle }
        // COPY drops NUL from text, which would change what SQL derives.
        if CopyRows.storesDifferently(testCase.title) || testCase.classname.map(CopyRows.storesDifferently) == true {
            return testCase.fullTitle
        }
        // Swift derives the title alone when classname and title are canonically equal; SQL
        // compares bytes. Only when those disagree is the full title stored.
        if let classname = testCase.classname, !classname.isEmpty, classname == testCase.title,
            !classname.hasSameUTF8(as: testCase.title)
        {
            return testCase.fullTitle
        }
        return nil
    }

    /// What a list shows for the case: the failure that decided it (the last failing attempt's
    /// first error) or, for a flaky case, the failure it recovered from.
    static func headlineError(_ testCase: ParsedCase) -> String? {
        let attempts = testCase.attempts
        let isFailing: (ParsedAttempt) -> Bool = { $0.status == .failed || $0.status == .errored }
        let index = testCase.status == .flaky ? attempts.firstIndex(where: isFailing) : attempts.lastIndex(where: isFailing)
        guard let index, let error = attempts[index].errors.first else { return nil }
        if let message = error.message, !message.isEmpty { return headline(message) }
        if let type = error.type, !type.isEmpty { return type }
        return error.stack.map { stack in
            let utf8 = stack.utf8
            let end = utf8.firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } ?? utf8.endIndex
            return headline(String(stack[..<end]))
        }
    }

    /// At most 2,000 characters (Unicode scalars: counting graphemes of every long message
    /// would cost more than storing it).
    static func headline(_ text: String) -> String {
        guard text.utf8.count > 2000 else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(2000))
        return String(scalars)
    }
}

/// What consecutive cases of one suite share: the file and suite path their test ids start
/// with, and the suite path's COPY field, built once per suite instead of once per case.
private struct SuiteScope {
    var file: String?
    var suitePath: [String] = []
    var suitePathField: [UInt8] = []
    /// Where the test's own part of the test id name starts.
    var nameLength = 0
    /// The test ids' first 48 bits, which the suite's tests share.
    var testIDPrefix: UInt64 = 0
    private var isSet = false

    init() {}

    init(_ testCase: ParsedCase) {
        file = testCase.file
        suitePath = testCase.suitePath
        suitePathField = CopyRows.encodedField { $0.textArray(testCase.suitePath) }
        isSet = true
    }

    /// Byte for byte (see `hasSameUTF8`).
    func matches(_ testCase: ParsedCase) -> Bool {
        guard isSet, testCase.suitePath.hasSameUTF8(as: suitePath) else { return false }
        switch (testCase.file, file) {
        case (nil, nil): return true
        case (let a?, let b?): return a.hasSameUTF8(as: b)
        default: return false
        }
    }
}

extension CopyRows {
    /// A `jsonb` value; nil writes an empty array, or SQL NULL for columns where NULL means none.
    func json(_ value: JSON?, emptyIsNull: Bool = false) {
        guard let value else { return emptyIsNull ? null() : jsonb(Self.emptyArray) }
        jsonb(value.serialized())
    }

    private static let emptyArray = Array("[]".utf8)
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
