#if canImport(Glibc)
    import Glibc
#endif
import VerdictDB
import VerdictJSON
import VerdictReports

/// What an export says about the run as a whole.
public struct RunExportHeader: Sendable {
    public var runID: RunID
    public var project: String
    public var name: String
    public var status: RunStatus
    public var reportsCompleted: Int
    public var totals: ReportTotals
    public var startedAtMs: Int64?
    public var endedAtMs: Int64?
    public var toolName: String?
    public var toolVersion: String?

    /// What to call the run in a document: its name, else project and commit.
    public var title: String

    public var durationMs: Double? {
        guard let startedAtMs, let endedAtMs, endedAtMs >= startedAtMs else { return nil }
        return Double(endedAtMs - startedAtMs)
    }
}

/// Reads a stored run back as the parser's model (suites, cases, attempts, attachments), one
/// suite at a time through a server-side cursor, so exporting a run of any size holds only a
/// batch of cases and the run's (few) stored attempts in memory.
public struct RunContentReader {
    static let batchSize = 10000
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// The run's header, if the viewer may see the run; the reads of its content take the
    /// header, so they are reached only through this check.
    public func header(_ runID: RunID, as viewer: Viewer) throws -> RunExportHeader {
        guard
            let row = try db.query(
                """
                SELECT r.id, p.name AS project, r.name, r.commit_sha, r.branch, r.status, r.reports_completed, r.tests, r.passed,
                    r.failed, r.skipped, r.errors, r.flaky,
                    (extract(epoch FROM r.started_at) * 1000)::bigint AS started_ms,
                    (extract(epoch FROM r.ended_at) * 1000)::bigint AS ended_ms,
                    (SELECT tool_name FROM reports WHERE run_id = r.id AND tool_name IS NOT NULL ORDER BY id LIMIT 1) AS tool_name,
                    (SELECT tool_version FROM reports WHERE run_id = r.id AND tool_name IS NOT NULL ORDER BY id LIMIT 1) AS tool_version
                FROM runs r JOIN projects p ON p.id = r.project_id \(Visibility.join())
                WHERE r.id = $1 AND \(Visibility.condition(viewer: "$2"))
                """, [runID.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(runID.named) }
        let name = try row.decode("name", as: String.self)
        let commit = try row.decode("commit_sha", as: String.self)
        let project = try row.decode("project", as: String.self)
        let title =
            !name.isEmpty
            ? name
            : [project, try row.decode("branch", as: String.self), String(commit.prefix(12))].filter { !$0.isEmpty }
                .joined(separator: " ")
        return RunExportHeader(
            runID: runID, project: project, name: name, status: try row.decode("status"),
            reportsCompleted: try row.decode("reports_completed"),
            totals: ReportTotals(
                tests: try row.decode("tests"), passed: try row.decode("passed"), failed: try row.decode("failed"),
                skipped: try row.decode("skipped"), errors: try row.decode("errors"), flaky: try row.decode("flaky")),
            startedAtMs: try row.decodeIfPresent("started_ms"), endedAtMs: try row.decodeIfPresent("ended_ms"),
            toolName: try row.decodeIfPresent("tool_name"), toolVersion: try row.decodeIfPresent("tool_version"), title: title)
    }

    /// Calls `body` once per suite, in report and suite order, with the suite's cases in their
    /// order, plain where they can be (see `PlainCase`); cases outside any suite come last in
    /// their report, under a suite named after the report's shard.
    public func forEachSuite(of run: RunExportHeader, _ body: (ParsedSuite, [CaseRecord]) throws -> Void) throws {
        let runID = run.runID.text
        try db.transaction {
            let details = try StoredDetails(db: db, runID: runID)
            let suites = try db.query(
                """
                SELECT s.id, s.report_id, s.name, s.path, s.file, s.timestamp_text, s.duration_ms, s.hostname,
                    s.properties::text AS properties, s.system_out, s.system_err, s.errors::text AS errors,
                    (extract(epoch FROM s.started_at) * 1000)::bigint AS started_ms
                FROM suites s WHERE s.run_id = $1 ORDER BY s.report_id, s.ordinal
                """, [runID]
            ).rows
            var shards: [UUIDKey: String] = [:]
            for row in try db.query("SELECT id, shard FROM reports WHERE run_id = $1", [runID]).rows {
                let id = try row.decode("id", as: UUIDKey.self)
                if shards[id] == nil { shards[id] = try row.decode("shard", as: String.self) }
            }
            var suiteIndex: [UUIDKey: Int] = [:]
            for (index, row) in suites.enumerated() { suiteIndex[try row.decode("id", as: UUIDKey.self)] = index }

            var pendingSuite: UUIDKey?
            var pendingReport: UUIDKey?
            var pendingCases: [CaseRecord] = []
            var nextSuite = 0
            func flush() throws {
                defer { pendingCases.removeAll(keepingCapacity: true) }
                if let id = pendingSuite, let index = suiteIndex[id] {
                    // Suites without cases that come before this one (a file that failed to load).
                    while nextSuite < index {
                        try body(Self.suite(suites[nextSuite], details), [])
                        nextSuite += 1
                    }
                    try body(Self.suite(suites[index], details), pendingCases)
                    nextSuite = max(nextSuite, index + 1)
                } else if !pendingCases.isEmpty {
                    let shard = pendingReport.flatMap { shards[$0] } ?? "report"
                    try body(ParsedSuite(name: shard, path: [shard]), pendingCases)
                }
            }

            try forEachCaseRow(runID: runID, details: details, suiteRank: suiteIndex) { record, suiteID, reportID in
                if suiteID != pendingSuite || reportID != pendingReport {
                    try flush()
                    pendingSuite = suiteID
                    pendingReport = reportID
                }
                pendingCases.append(record)
            }
            try flush()
            while nextSuite < suites.count {
                try body(Self.suite(suites[nextSuite], details), [])
                nextSuite += 1
            }
        }
    }

    /// Calls `body` for every case of the run, in report order.
    public func forEachCase(of run: RunExportHeader, _ body: (consuming ParsedCase) throws -> Void) throws {
        let runID = run.runID.text
        try db.transaction {
            let details = try StoredDetails(db: db, runID: runID)
            var suiteRank: [UUIDKey: Int] = [:]
            try db.withRawResult("SELECT id FROM suites WHERE run_id = $1 ORDER BY report_id, ordinal", [runID]) { result in
                for index in 0..<result.rowCount { if let id = result.row(index).uuid(0) { suiteRank[id] = index } }
            }
            try forEachCaseRow(runID: runID, details: details, suiteRank: suiteRank) { record, _, _ in try body(ParsedCase(record)) }
        }
    }

    /// Streams the run's cases in (report, suite ordinal, case ordinal) order, with their
    /// stored attempts read alongside through a second cursor in the same order, both in binary
    /// format (see `RawRow`). When ingest stored every report suite by suite, which is the usual
    /// case, case ordinal order is that order already and the cursor walks the (run, report,
    /// ordinal) index; sorting the joined rows instead costs PostgreSQL more than the rest of
    /// the export.
    /// - Parameter suiteRank: the run's suites numbered in (report, ordinal) order.
    private func forEachCaseRow(
        runID: String, details: StoredDetails, suiteRank: [UUIDKey: Int], _ body: (consuming CaseRecord, UUIDKey?, UUIDKey?) throws -> Void
    ) throws {
        let columns = """
            c.id, c.report_id, c.suite_id, c.title, c.full_title, c.suite_path, c.file, c.line, c.classname,
                c.project_name, c.status, c.raw_status, c.duration_ms, c.skip_reason, c.tags,
                c.annotations::text AS annotations, c.properties::text AS properties, c.started_at
            """
        let ordered = try CaseOrder.storedOrderIsSuiteOrder(db: db, runID: runID, suiteRank: suiteRank)
        let (from, order) =
            ordered
            ? ("cases c", "c.report_id, c.ordinal")
            : ("cases c LEFT JOIN suites s ON s.id = c.suite_id", "c.report_id, s.ordinal NULLS LAST, c.ordinal")
        // FETCH collects its whole batch in a tuplestore before sending it; past work_mem
        // (4 MB by default, less than a batch of stack traces) that goes through a temporary
        // file. The batches bound what it holds.
        try db.query("SET LOCAL work_mem = '64MB'")
        try db.query("DECLARE run_cases NO SCROLL CURSOR FOR SELECT \(columns) FROM \(from) WHERE c.run_id = $1 ORDER BY \(order)", [runID])
        let attemptColumns = """
            a.case_id, a.attempt, a.status, a.duration_ms, a.started_at, a.stdout, a.stderr,
                a.error_messages, a.error_types, a.error_stacks
            """
        // In case order, attempts come straight off their (report, ordinal, attempt) index; the
        // array keeps that order (a semi-join would not promise it). Otherwise each is joined to
        // its case (and suite) for the order, and they are sorted; the join goes by (run, report,
        // ordinal), the cases' index (case ids have none since migration 7).
        let attemptQuery =
            ordered
            ? """
            SELECT \(attemptColumns) FROM attempts a
            WHERE a.report_id = ANY (ARRAY(SELECT id FROM reports WHERE run_id = $1))
            ORDER BY a.report_id, a.ordinal, a.attempt
            """
            : """
            SELECT \(attemptColumns) FROM attempts a
            JOIN \(from) ON c.run_id = $1 AND c.report_id = a.report_id AND c.ordinal = a.ordinal
            WHERE a.report_id IN (SELECT id FROM reports WHERE run_id = $1)
            ORDER BY \(order), a.attempt
            """
        try db.query("DECLARE run_attempts NO SCROLL CURSOR FOR \(attemptQuery)", [runID])
        let cursors = BatchedCursors(db: db, binary: true)
        defer { cursors.close() }
        // Small first batches: the document starts while PostgreSQL produces the rest.
        let caseCursor = cursors.add(cursor: "run_cases", batchSize: Self.batchSize, firstBatchSize: 500)
        var attempts = AttemptStream(cursors: cursors, cursor: cursors.add(cursor: "run_attempts", batchSize: 1000, firstBatchSize: 50))
        var columnsResolved: CaseColumns?
        var repeats = RepeatedValues()
        while let result = try cursors.next(caseCursor) {
            let c = columnsResolved ?? CaseColumns(result)
            columnsResolved = c
            for index in 0..<result.rowCount {
                let row = result.row(index)
                let id = row.uuid(c.id)
                let stored = try id.map { try attempts.take(caseID: $0) } ?? []
                let plain = stored.isEmpty ? Self.plainCase(row, c, id: id, details, repeats: &repeats) : nil
                try body(
                    plain.map(CaseRecord.plain) ?? .full(Self.testCase(row, c, attempts: stored, details, repeats: &repeats)),
                    row.uuid(c.suiteID), row.uuid(c.reportID))
            }
        }
        cursors.close()
        try db.query("CLOSE run_attempts")
        try db.query("CLOSE run_cases")
    }

    /// The row as a `PlainCase` when that is all it says: passed, no stored attempts (checked
    /// by the caller), and none of the columns a plain case has no place for.
    private static func plainCase(_ row: RawRow, _ c: CaseColumns, id: UUIDKey?, _ details: StoredDetails, repeats: inout RepeatedValues)
        -> PlainCase?
    {
        guard repeats.status(row, c.status) == .passed, row.isNull(c.fullTitle), row.isNull(c.startedAt), row.isNull(c.project),
            row.isNull(c.skipReason), row.isNull(c.tags), row.isNull(c.annotations), row.isNull(c.properties),
            details.caseAttachments.isEmpty || id.map({ details.caseAttachments[$0] == nil }) ?? true
        else { return nil }
        return PlainCase(
            suitePath: repeats.suitePath(row, c.suitePath), file: repeats.file(row, c.file), line: row.int(c.line),
            title: row.string(c.title) ?? "", classname: repeats.classname(row, c.classname),
            rawStatus: repeats.rawStatus(row, c.rawStatus),
            durationMs: row.double(c.duration))
    }

    private static func testCase(
        _ row: RawRow, _ c: CaseColumns, attempts stored: [ParsedAttempt], _ details: StoredDetails, repeats: inout RepeatedValues
    ) -> ParsedCase {
        let id = row.uuid(c.id)
        let status = repeats.status(row, c.status)
        let duration = row.double(c.duration)
        let attempts =
            stored.isEmpty
            ? [
                ParsedAttempt(
                    index: 0, status: status == .flaky ? .passed : status, durationMs: duration,
                    startedAtMs: row.timestampMilliseconds(c.startedAt))
            ] : stored
        var testCase = ParsedCase(
            suitePath: repeats.suitePath(row, c.suitePath), file: repeats.file(row, c.file), line: row.int(c.line),
            title: row.string(c.title) ?? "", fullTitle: row.string(c.fullTitle) ?? "", classname: repeats.classname(row, c.classname),
            project: row.string(c.project),
            status: status, rawStatus: repeats.rawStatus(row, c.rawStatus), durationMs: duration, attempts: attempts,
            attachments: details.caseAttachments.isEmpty ? [] : id.flatMap { details.caseAttachments[$0] } ?? [],
            tags: row.textArray(c.tags),
            skipReason: row.string(c.skipReason))
        // NULL: the derived `classname.title` (see migration 5).
        if row.isNull(c.fullTitle) { testCase.deriveFullTitle() }
        if let text = row.string(c.annotations) {
            testCase.annotations = StoredDetails.objects(text).compactMap { object in
                object["type"]?.stringValue.map { ParsedAnnotation(type: $0, description: object["description"]?.stringValue) }
            }
        }
        if let text = row.string(c.properties) { testCase.properties = StoredDetails.properties(text) }
        return testCase
    }

    private static func suite(_ row: Row, _ details: StoredDetails) throws -> ParsedSuite {
        ParsedSuite(
            name: try row.decode("name"), path: try row.decode("path"), file: try row.decodeIfPresent("file"),
            timestamp: try row.decodeIfPresent("timestamp_text"), startedAtMs: try row.decodeIfPresent("started_ms"),
            durationMs: try row.decodeIfPresent("duration_ms"), hostname: try row.decodeIfPresent("hostname"),
            properties: StoredDetails.properties(try row.decode("properties")),
            systemOut: try row.decodeIfPresent("system_out"), systemErr: try row.decodeIfPresent("system_err"),
            attachments: details.suiteAttachments[try row.decode("id", as: UUIDKey.self)] ?? [],
            errors: StoredDetails.errors(try row.decode("errors")))
    }
}

/// The run's stored attachments, keyed by case (and suite): few next to the cases, so they are
/// read in full before the cases stream past.
struct StoredDetails {
    var caseAttachments: [UUIDKey: [ParsedAttachment]] = [:]
    var suiteAttachments: [UUIDKey: [ParsedAttachment]] = [:]

    init(db: PostgresConnection, runID: String) throws {
        try db.withRawResult(
            """
            SELECT case_id, suite_id, attempt, name, kind, content_type, path FROM attachments
            WHERE report_id IN (SELECT id FROM reports WHERE run_id = $1) ORDER BY id
            """, [runID]
        ) { result in
            for index in 0..<result.rowCount {
                let row = result.row(index)
                let attachment = ParsedAttachment(
                    name: row.string(3) ?? "", contentType: row.string(5), path: row.string(6),
                    kind: ParsedAttachment.Kind(rawValue: row.string(4) ?? ""), attempt: row.int(2))
                if let caseID = row.uuid(0) {
                    caseAttachments[caseID, default: []].append(attachment)
                } else if let suiteID = row.uuid(1) {
                    suiteAttachments[suiteID, default: []].append(attachment)
                }
            }
        }
    }

    static func objects(_ text: String) -> [JSONObject] {
        guard text != "[]", let array = (try? JSON.parse(Array(text.utf8)))?.arrayValue else { return [] }
        return array.compactMap(\.objectValue)
    }

    static func errors(_ text: String) -> [ParsedError] {
        objects(text).map {
            ParsedError(message: $0["message"]?.stringValue, type: $0["type"]?.stringValue, stack: $0["stack"]?.stringValue)
        }
    }

    static func properties(_ text: String) -> [ParsedProperty] {
        objects(text).compactMap { object in
            guard let name = object["name"]?.stringValue else { return nil }
            return ParsedProperty(name, object["value"]?.stringValue ?? "")
        }
    }
}

/// The case cursor's column positions, resolved once per export rather than per row.
struct CaseColumns {
    let id, reportID, suiteID, title, fullTitle, suitePath, file, line, classname, project: Int
    let status, rawStatus, duration, skipReason, tags, annotations, properties, startedAt: Int

    init(_ result: RawResult) {
        id = result.column("id")
        reportID = result.column("report_id")
        suiteID = result.column("suite_id")
        title = result.column("title")
        fullTitle = result.column("full_title")
        suitePath = result.column("suite_path")
        file = result.column("file")
        line = result.column("line")
        classname = result.column("classname")
        project = result.column("project_name")
        status = result.column("status")
        rawStatus = result.column("raw_status")
        duration = result.column("duration_ms")
        skipReason = result.column("skip_reason")
        tags = result.column("tags")
        annotations = result.column("annotations")
        properties = result.column("properties")
        startedAt = result.column("started_at")
    }
}

enum CaseOrder {
    /// Whether, in every report, the cases in ordinal order already run suite by suite in
    /// suite order with the suiteless ones last: then each (report, suite) group's ordinals
    /// form a range, and sorted by suite rank the ranges do not overlap. For reports stored
    /// before ingest recorded it, an aggregate over the narrow index columns, far cheaper than
    /// sorting the wide joined rows.
    static func storedOrderIsSuiteOrder(db: PostgresConnection, runID: String, suiteRank: [UUIDKey: Int]) throws -> Bool {
        // Ingest records the answer per report; only reports stored before it did need the aggregate.
        let recorded = try db.query(
            """
            SELECT count(*) FILTER (WHERE cases_in_suite_order IS NULL) AS unknown, bool_and(cases_in_suite_order) AS ordered
            FROM reports WHERE run_id = $1 AND status = 'completed'
            """, [runID]
        ).first
        if let recorded, try recorded.decode("unknown", as: Int.self) == 0 {
            return try recorded.decodeIfPresent("ordered", as: Bool.self) ?? true
        }
        var groups: [UUIDKey: [(rank: Int, first: Int, last: Int)]] = [:]
        var ordered = true
        try db.withRawResult(
            "SELECT report_id, suite_id, min(ordinal), max(ordinal) FROM cases WHERE run_id = $1 GROUP BY report_id, suite_id",
            [runID]
        ) { result in
            for index in 0..<result.rowCount {
                let row = result.row(index)
                guard let report = row.uuid(0), let first = row.int(2), let last = row.int(3) else {
                    ordered = false
                    return
                }
                let rank: Int
                if let suite = row.uuid(1) {
                    guard let known = suiteRank[suite] else {
                        ordered = false
                        return
                    }
                    rank = known
                } else {
                    rank = Int.max
                }
                groups[report, default: []].append((rank, first, last))
            }
        }
        guard ordered else { return false }
        for (_, ranges) in groups {
            let sorted = ranges.sorted { $0.rank < $1.rank }
            for (before, after) in zip(sorted, sorted.dropFirst()) where before.last >= after.first { return false }
        }
        return true
    }
}

/// The stored attempts, read in case order beside the cases: a case's attempts are the next
/// rows while their case id is the case's.
struct AttemptStream {
    let cursors: BatchedCursors
    let cursor: Int
    private var batch: RawResult?
    private var position = 0
    private var done = false

    init(cursors: BatchedCursors, cursor: Int) {
        self.cursors = cursors
        self.cursor = cursor
    }

    mutating func take(caseID: UUIDKey) throws -> [ParsedAttempt] {
        var attempts: [ParsedAttempt] = []
        while let row = try peek(), row.uuid(0) == caseID {
            let messages = row.nullableTextArray(7)
            let types = row.nullableTextArray(8)
            let stacks = row.nullableTextArray(9)
            let errors = messages.indices.map { i in
                ParsedError(message: messages[i], type: i < types.count ? types[i] : nil, stack: i < stacks.count ? stacks[i] : nil)
            }
            attempts.append(
                ParsedAttempt(
                    index: row.int(1) ?? 0, status: TestStatus(rawValue: row.string(2) ?? "") ?? .failed,
                    durationMs: row.double(3), errors: errors, stdout: row.string(5), stderr: row.string(6),
                    startedAtMs: row.timestampMilliseconds(4)))
            position += 1
        }
        return attempts
    }

    private mutating func peek() throws -> RawRow? {
        while !done {
            if let batch, position < batch.rowCount { return batch.row(position) }
            batch = try cursors.next(cursor)
            position = 0
            if batch == nil { done = true }
        }
        return nil
    }
}

/// Consecutive cases mostly share their suite path, classname, file and status: decoded again
/// for every case, they would cost the same few string allocations 100,000 times over.
struct RepeatedValues {
    var suitePaths = LastValue<[String]>()
    var classnames = LastValue<String>()
    var files = LastValue<String>()
    var statuses = LastValue<TestStatus>()
    var rawStatuses = LastValue<String>()

    mutating func suitePath(_ row: RawRow, _ column: Int) -> [String] {
        row.isNull(column) ? [] : suitePaths.value(of: row.bytes(column)) { _ in row.textArray(column) }
    }

    mutating func classname(_ row: RawRow, _ column: Int) -> String? { Self.text(row, column, &classnames) }

    mutating func file(_ row: RawRow, _ column: Int) -> String? { Self.text(row, column, &files) }

    /// A status the schema does not know reads as failed.
    mutating func status(_ row: RawRow, _ column: Int) -> TestStatus {
        row.isNull(column)
            ? .failed : statuses.value(of: row.bytes(column)) { TestStatus(rawValue: String(decoding: $0, as: UTF8.self)) ?? .failed }
    }

    mutating func rawStatus(_ row: RawRow, _ column: Int) -> String { Self.text(row, column, &rawStatuses) ?? "" }

    private static func text(_ row: RawRow, _ column: Int, _ last: inout LastValue<String>) -> String? {
        row.isNull(column) ? nil : last.value(of: row.bytes(column)) { String(decoding: $0, as: UTF8.self) }
    }
}

/// The value last decoded from a column, handed out again while the column's bytes repeat.
struct LastValue<Value> {
    private var bytes: [UInt8] = []
    private var last: Value?

    mutating func value(of raw: UnsafeBufferPointer<UInt8>, decode: (UnsafeBufferPointer<UInt8>) -> Value) -> Value {
        if let last, raw.count == bytes.count,
            bytes.withUnsafeBufferPointer({ raw.isEmpty || memcmp(raw.baseAddress!, $0.baseAddress!, raw.count) == 0 })
        {
            return last
        }
        let value = decode(raw)
        bytes = Array(raw)
        last = value
        return value
    }
}
