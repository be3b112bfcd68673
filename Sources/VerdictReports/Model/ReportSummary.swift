/// Everything a parsed report says apart from its cases, which a streaming parse hands to a
/// `ReportSink` one at a time instead of keeping them.
public struct ReportSummary: Sendable, Equatable {
    public var format: ReportFormat
    public var toolName: String?
    public var toolVersion: String?
    public var startedAtMs: Int64?
    public var durationMs: Double?
    /// Every suite in its final form, in the order their slots were given out: the index of a
    /// suite here is the `suiteIndex` its cases carry.
    public var suites: [ParsedSuite]
    public var runErrors: [ParsedError]
    public var warnings: [String]
    /// Counted over the cases as they were handed to the sink.
    public var totals: ReportTotals

    public init(
        format: ReportFormat, toolName: String? = nil, toolVersion: String? = nil, startedAtMs: Int64? = nil,
        durationMs: Double? = nil, suites: [ParsedSuite] = [], runErrors: [ParsedError] = [], warnings: [String] = [],
        totals: ReportTotals = ReportTotals()
    ) {
        self.format = format
        self.toolName = toolName
        self.toolVersion = toolVersion
        self.startedAtMs = startedAtMs
        self.durationMs = durationMs
        self.suites = suites
        self.runErrors = runErrors
        self.warnings = warnings
        self.totals = totals
    }
}

extension ParsedReport {
    public init(_ summary: ReportSummary, cases: [ParsedCase]) {
        self.init(
            format: summary.format, toolName: summary.toolName, toolVersion: summary.toolVersion,
            startedAtMs: summary.startedAtMs, durationMs: summary.durationMs, suites: summary.suites, cases: cases,
            runErrors: summary.runErrors, warnings: summary.warnings)
    }
}
