/// What the parsers hand their suites and cases to: it gives suites their slots, tells the sink
/// about them before their cases, and counts the totals as cases go by.
struct CaseEmitter<Sink: ReportSink> {
    var sink: Sink
    private(set) var suites: [ParsedSuite] = []
    private(set) var totals = ReportTotals()
    /// Suites before this index have been announced to the sink.
    private var announced = 0

    init(sink: consuming Sink) { self.sink = sink }

    /// Reserves the next slot for `suite`; announced to the sink with the next case (or at the
    /// end), so a suite is always known before its cases.
    mutating func addSuite(_ suite: ParsedSuite) -> Int {
        suites.append(suite)
        return suites.count - 1
    }

    /// For parsers that keep their own suite list, completing suites after their cases (JUnit):
    /// takes the suites added since the last call, as they are now.
    mutating func syncSuites(_ all: [ParsedSuite]) {
        if all.count > suites.count { suites.append(contentsOf: all[suites.count...]) }
    }

    mutating func emit(_ testCase: consuming ParsedCase) throws(ReportStreamError) {
        try announceSuites()
        totals.count(testCase.status)
        do { try sink.accept(testCase) } catch { throw .sink(error) }
    }

    mutating func announceSuites() throws(ReportStreamError) {
        while announced < suites.count {
            do { try sink.suiteStarted(suites[announced], index: announced) } catch { throw .sink(error) }
            announced += 1
        }
    }

    /// Announces what is left and returns the summary, with the totals counted here.
    mutating func finish(_ summary: ReportSummary) throws(ReportStreamError) -> ReportSummary {
        try announceSuites()
        var summary = summary
        summary.totals = totals
        return summary
    }
}
