/// One uploaded report, normalized so that the store never needs to know which tool wrote it.
public struct ParsedReport: Sendable, Equatable {
    public var format: ReportFormat
    /// The test runner (or reporter) that produced the file, when the file says so.
    public var toolName: String?
    public var toolVersion: String?
    /// Start of the run in milliseconds since the Unix epoch (UTC), when known.
    public var startedAtMs: Int64?
    public var durationMs: Double?
    public var suites: [ParsedSuite]
    public var cases: [ParsedCase]
    /// Failures that belong to no test: a global setup that crashed, a runner error.
    public var runErrors: [ParsedError]
    /// Problems that did not stop the import, e.g. a malformed test entry that was skipped.
    public var warnings: [String]

    public init(
        format: ReportFormat, toolName: String? = nil, toolVersion: String? = nil, startedAtMs: Int64? = nil,
        durationMs: Double? = nil, suites: [ParsedSuite] = [], cases: [ParsedCase] = [],
        runErrors: [ParsedError] = [], warnings: [String] = []
    ) {
        self.format = format
        self.toolName = toolName
        self.toolVersion = toolVersion
        self.startedAtMs = startedAtMs
        self.durationMs = durationMs
        self.suites = suites
        self.cases = cases
        self.runErrors = runErrors
        self.warnings = warnings
    }

    /// Counted from the test cases themselves; the counters a file declares are often wrong.
    public var totals: ReportTotals { ReportTotals(cases) }
}

/// A suite as the report describes it (a JUnit `<testsuite>`, a Playwright file or `describe`,
/// a Jest test file). Cases refer to suites by `path`.
public struct ParsedSuite: Sendable, Equatable {
    public var name: String
    /// Names from the outermost suite down to this one, this one included.
    public var path: [String]
    public var file: String?
    /// The timestamp exactly as written (formats differ wildly), plus the parsed value.
    public var timestamp: String?
    public var startedAtMs: Int64?
    public var durationMs: Double?
    public var hostname: String?
    public var properties: [ParsedProperty]
    public var systemOut: String?
    public var systemErr: String?
    public var attachments: [ParsedAttachment]
    /// Failures raised outside any test: a test file that did not compile, a failed `before all`
    /// hook, a JUnit `<error>` placed directly in `<testsuite>`.
    public var errors: [ParsedError]

    public init(
        name: String, path: [String], file: String? = nil, timestamp: String? = nil, startedAtMs: Int64? = nil,
        durationMs: Double? = nil, hostname: String? = nil, properties: [ParsedProperty] = [],
        systemOut: String? = nil, systemErr: String? = nil, attachments: [ParsedAttachment] = [],
        errors: [ParsedError] = []
    ) {
        self.name = name
        self.path = path
        self.file = file
        self.timestamp = timestamp
        self.startedAtMs = startedAtMs
        self.durationMs = durationMs
        self.hostname = hostname
        self.properties = properties
        self.systemOut = systemOut
        self.systemErr = systemErr
        self.attachments = attachments
        self.errors = errors
    }
}

/// A name/value pair. Kept as an ordered list because JUnit allows repeated names.
public struct ParsedProperty: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
