import VerdictDB
import VerdictJSON
import VerdictReports

/// What an export says about the run as a whole.
public struct RunExportHeader: Sendable {
    public var runID: String
    public var project: String
    public var name: String
    public var status: String
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
    static let batchSize = 5000
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func header(runID: String) throws -> RunExportHeader {
        guard UUIDText.isValid(runID) else { throw ServiceError.invalid(field: "id", reason: "must be a UUID") }
        guard
            let row = try db.query(
                """
                SELECT r.id, p.name AS project, r.name, r.commit_sha, r.branch, r.status, r.reports_completed, r.tests, r.passed,
                    r.failed, r.skipped, r.errors, r.flaky,
                    (extract(epoch FROM r.started_at) * 1000)::bigint AS started_ms,
                    (extract(epoch FROM r.ended_at) * 1000)::bigint AS ended_ms,
                    (SELECT tool_name FROM reports WHERE run_id = r.id AND tool_name IS NOT NULL ORDER BY id LIMIT 1) AS tool_name,
                    (SELECT tool_version FROM reports WHERE run_id = r.id AND tool_name IS NOT NULL ORDER BY id LIMIT 1) AS tool_version
                FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = $1
                """, [runID]
            ).first
        else { throw ServiceError.notFound("run \(runID)") }
        let name = row.string("name")
        let commit = row.string("commit_sha")
        let title =
            !name.isEmpty
            ? name
            : [row.string("project"), row.string("branch"), String(commit.prefix(12))].filter { !$0.isEmpty }
                .joined(separator: " ")
        return RunExportHeader(
            runID: runID, project: row.string("project"), name: name, status: row.string("status"),
            reportsCompleted: row.int("reports_completed") ?? 0,
            totals: ReportTotals(
                tests: row.int("tests") ?? 0, passed: row.int("passed") ?? 0, failed: row.int("failed") ?? 0,
                skipped: row.int("skipped") ?? 0, errors: row.int("errors") ?? 0, flaky: row.int("flaky") ?? 0),
            startedAtMs: row.int64("started_ms"), endedAtMs: row.int64("ended_ms"), toolName: row["tool_name"],
            toolVersion: row["tool_version"], title: title)
    }

    /// Calls `body` once per suite, in report and suite order, with the suite's cases in their
    /// order; cases outside any suite come last in their report, under a suite named after the
    /// report's shard.
    public func forEachSuite(runID: String, _ body: (ParsedSuite, [ParsedCase]) throws -> Void) throws {
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
            let shards = Dictionary(
                try db.query("SELECT id, shard FROM reports WHERE run_id = $1", [runID]).rows.map { ($0.string("id"), $0.string("shard")) },
                uniquingKeysWith: { first, _ in first })
            var suiteIndex: [String: Int] = [:]
            for (index, row) in suites.enumerated() { suiteIndex[row.string("id")] = index }

            var pendingSuite: String?
            var pendingReport = ""
            var pendingCases: [ParsedCase] = []
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
                    let shard = shards[pendingReport] ?? "report"
                    try body(ParsedSuite(name: shard, path: [shard]), pendingCases)
                }
            }

            try forEachCaseRow(runID: runID, details: details) { testCase, suiteID, reportID in
                if suiteID != pendingSuite || reportID != pendingReport {
                    try flush()
                    pendingSuite = suiteID
                    pendingReport = reportID
                }
                pendingCases.append(testCase)
            }
            try flush()
            while nextSuite < suites.count {
                try body(Self.suite(suites[nextSuite], details), [])
                nextSuite += 1
            }
        }
    }

    /// Calls `body` for every case of the run, in report order.
    public func forEachCase(runID: String, _ body: (ParsedCase) throws -> Void) throws {
        try db.transaction {
            let details = try StoredDetails(db: db, runID: runID)
            try forEachCaseRow(runID: runID, details: details) { testCase, _, _ in try body(testCase) }
        }
    }

    private func forEachCaseRow(
        runID: String, details: StoredDetails, _ body: (ParsedCase, String?, String) throws -> Void
    ) throws {
        try db.query(
            """
            DECLARE run_cases NO SCROLL CURSOR FOR
            SELECT c.id, c.report_id, c.suite_id, c.title, c.full_title, c.suite_path, c.file, c.line, c.classname,
                c.project_name, c.status, c.raw_status, c.duration_ms, c.skip_reason, c.tags,
                c.annotations::text AS annotations, c.properties::text AS properties,
                (extract(epoch FROM c.started_at) * 1000)::bigint AS started_ms
            FROM cases c LEFT JOIN suites s ON s.id = c.suite_id
            WHERE c.run_id = $1
            ORDER BY c.report_id, s.ordinal NULLS LAST, c.ordinal
            """, [runID])
        while true {
            let batch = try db.query("FETCH \(Self.batchSize) FROM run_cases")
            for row in batch.rows {
                let id = row.string("id")
                try body(Self.testCase(row, id: id, details), row["suite_id"], row.string("report_id"))
            }
            if batch.rows.count < Self.batchSize { break }
        }
        try db.query("CLOSE run_cases")
    }

    private static func testCase(_ row: Row, id: String, _ details: StoredDetails) -> ParsedCase {
        let status = TestStatus(rawValue: row.string("status")) ?? .failed
        let duration = row.double("duration_ms")
        let attempts =
            details.attempts[id] ?? [
                ParsedAttempt(
                    index: 0, status: status == .flaky ? .passed : status, durationMs: duration, startedAtMs: row.int64("started_ms"))
            ]
        var testCase = ParsedCase(
            suitePath: row.textArray("suite_path"), file: row["file"], line: row.int("line"), title: row.string("title"),
            fullTitle: row.string("full_title"), classname: row["classname"], project: row["project_name"], status: status,
            rawStatus: row.string("raw_status"), durationMs: duration, attempts: attempts,
            attachments: details.caseAttachments[id] ?? [], tags: row.textArray("tags"), skipReason: row["skip_reason"])
        if let text = row["annotations"] {
            testCase.annotations = StoredDetails.objects(text).compactMap { object in
                object["type"]?.stringValue.map { ParsedAnnotation(type: $0, description: object["description"]?.stringValue) }
            }
        }
        if let text = row["properties"] { testCase.properties = StoredDetails.properties(text) }
        return testCase
    }

    private static func suite(_ row: Row, _ details: StoredDetails) -> ParsedSuite {
        ParsedSuite(
            name: row.string("name"), path: row.textArray("path"), file: row["file"], timestamp: row["timestamp_text"],
            startedAtMs: row.int64("started_ms"), durationMs: row.double("duration_ms"), hostname: row["hostname"],
            properties: StoredDetails.properties(row.string("properties")), systemOut: row["system_out"],
            systemErr: row["system_err"], attachments: details.suiteAttachments[row.string("id")] ?? [],
            errors: StoredDetails.errors(row.string("errors")))
    }
}

/// The run's stored attempts and attachments, keyed by case (and suite): few next to the cases,
/// so they are read in full before the cases stream past.
struct StoredDetails {
    var attempts: [String: [ParsedAttempt]] = [:]
    var caseAttachments: [String: [ParsedAttachment]] = [:]
    var suiteAttachments: [String: [ParsedAttachment]] = [:]

    init(db: PostgresConnection, runID: String) throws {
        let attemptRows = try db.query(
            """
            SELECT a.case_id, a.attempt, a.status, a.duration_ms, a.errors::text AS errors, a.stdout, a.stderr,
                (extract(epoch FROM a.started_at) * 1000)::bigint AS started_ms
            FROM attempts a WHERE a.report_id IN (SELECT id FROM reports WHERE run_id = $1)
            ORDER BY a.case_id, a.attempt
            """, [runID])
        for row in attemptRows.rows {
            attempts[row.string("case_id"), default: []].append(
                ParsedAttempt(
                    index: row.int("attempt") ?? 0, status: TestStatus(rawValue: row.string("status")) ?? .failed,
                    durationMs: row.double("duration_ms"), errors: Self.errors(row.string("errors")), stdout: row["stdout"],
                    stderr: row["stderr"], startedAtMs: row.int64("started_ms")))
        }
        let attachmentRows = try db.query(
            """
            SELECT case_id, suite_id, attempt, name, kind, content_type, path FROM attachments
            WHERE report_id IN (SELECT id FROM reports WHERE run_id = $1) ORDER BY id
            """, [runID])
        for row in attachmentRows.rows {
            let attachment = ParsedAttachment(
                name: row.string("name"), contentType: row["content_type"], path: row["path"],
                kind: ParsedAttachment.Kind(rawValue: row.string("kind")), attempt: row.int("attempt"))
            if let caseID = row["case_id"] {
                caseAttachments[caseID, default: []].append(attachment)
            } else if let suiteID = row["suite_id"] {
                suiteAttachments[suiteID, default: []].append(attachment)
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
