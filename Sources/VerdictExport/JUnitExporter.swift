import VerdictReports

/// Streams a JUnit XML document through libxml2's `xmlTextWriter` to a sink: `begin`, one
/// `writeSuite` per `<testsuite>`, `finish`. Nothing but the current suite's cases is held, so
/// memory does not grow with the size of the report.
///
/// Retries are written the way Maven Surefire writes them (`flakyFailure`, `rerunFailure`, ...);
/// what JUnit has no place for goes into `verdict.` testcase properties, which Verdict's JUnit
/// parser reads back, so that ingesting an export gives back the exported cases.
public final class JUnitExporter {
    private enum State { case ready, open, finished }

    private let output: XMLOutput
    private var state = State.ready

    public init(sink: @escaping ExportSink) throws(ExportError) {
        output = try XMLOutput(sink: sink)
    }

    /// Opens the `<testsuites>` root. Totals are the caller's: the document is streamed, so the
    /// counts must be known before the first case is written.
    public func begin(
        name: String, totals: ReportTotals, durationMs: Double?, timestamp: String?, properties: [ParsedProperty] = []
    ) throws(ExportError) {
        guard state == .ready else { throw .misuse("begin called twice") }
        state = .open
        try output.startDocument()
        try output.start("testsuites")
        try output.attribute("name", name)
        try writeCounts(totals)
        try output.seconds("time", milliseconds: durationMs)
        try output.attribute("timestamp", timestamp)
        try writeProperties(properties)
    }

    /// One `<testsuite>` holding `cases`, its counters taken from the cases themselves.
    public func writeSuite(_ suite: ParsedSuite, cases: [ParsedCase]) throws(ExportError) {
        try writeSuite(suite, cases: cases[...])
    }

    /// `writeSuite` for a run of a report's cases. Concrete rather than generic: a generic
    /// collection of cases would copy each one through value witnesses.
    public func writeSuite(_ suite: ParsedSuite, cases: ArraySlice<ParsedCase>) throws(ExportError) {
        try writeSuite(
            suite, totals: Self.totals(cases), someCaseHasNoFile: { cases.contains { XMLText.isBlank($0.file ?? "") } },
            cases: { (suiteName) throws(ExportError) in
                // Through the buffer each case is borrowed in place; the slice's subscript copies it.
                try cases.withUnsafeBufferPointer { (buffer) throws(ExportError) in
                    for index in buffer.indices { try writeCase(buffer[index], suiteName: suiteName) }
                }
            })
    }

    /// `writeSuite` for cases read back from a stored run, most of them plain.
    public func writeSuite(_ suite: ParsedSuite, records: [CaseRecord]) throws(ExportError) {
        var totals = ReportTotals()
        records.withUnsafeBufferPointer { buffer in for index in buffer.indices { totals.count(buffer[index].status) } }
        try writeSuite(
            suite, totals: totals,
            someCaseHasNoFile: { records.contains { XMLText.isBlank($0.file ?? "") } },
            cases: { (suiteName) throws(ExportError) in
                try records.withUnsafeBufferPointer { (buffer) throws(ExportError) in
                    for index in buffer.indices {
                        switch buffer[index] {
                        case .plain(let plain): try writeCase(plain, suiteName: suiteName)
                        case .full(let testCase): try writeCase(testCase, suiteName: suiteName)
                        }
                    }
                }
            })
    }

    /// One `<testsuite>`; `cases` writes its `<testcase>`s, given the suite's name as written.
    private func writeSuite(
        _ suite: ParsedSuite, totals: ReportTotals, someCaseHasNoFile: () -> Bool,
        cases writeCases: (String) throws(ExportError) -> Void
    ) throws(ExportError) {
        guard state == .open else { throw .misuse(state == .ready ? "writeSuite before begin" : "writeSuite after finish") }
        try output.start("testsuite")
        try output.attribute("name", suite.name)
        try writeCounts(totals)
        try output.seconds("time", milliseconds: suite.durationMs)
        try output.attribute("timestamp", suite.timestamp)
        try output.attribute("hostname", suite.hostname)
        // Cases without a file would inherit the suite's on the way back in.
        if let file = suite.file, !someCaseHasNoFile() { try output.attribute("file", file) }
        try writeProperties(suite.properties)
        for error in suite.errors { try writeResult("error", error) }
        try writeCases(XMLText.sanitized(suite.name))
        try output.element("system-out", text: suite.systemOut)
        try output.element("system-err", text: suite.systemErr)
        try output.end()
    }

    /// Closes the document and hands the last bytes to the sink.
    public func finish() throws(ExportError) {
        guard state == .open else { throw .misuse(state == .ready ? "finish before begin" : "finish called twice") }
        state = .finished
        try output.endDocument()
    }

    /// `ReportTotals.init` wants an array; a suite's cases are often a slice of the report's.
    private static func totals(_ cases: ArraySlice<ParsedCase>) -> ReportTotals {
        var totals = ReportTotals()
        for index in cases.indices { totals.count(cases[index].status) }
        return totals
    }

    private func writeCounts(_ totals: ReportTotals) throws(ExportError) {
        try output.attribute("tests", totals.tests)
        try output.attribute("failures", totals.failed)
        try output.attribute("errors", totals.errors)
        try output.attribute("skipped", totals.skipped)
    }

    /// One `<properties>` holding both lists: joining them first would cost an array per case.
    func writeProperties(_ properties: [ParsedProperty], _ more: [ParsedProperty] = []) throws(ExportError) {
        guard !properties.isEmpty || !more.isEmpty else { return }
        try output.start("properties")
        for property in properties { try writeProperty(property) }
        for property in more { try writeProperty(property) }
        try output.end()
    }

    private func writeProperty(_ property: ParsedProperty) throws(ExportError) {
        try output.start("property")
        try output.attribute("name", property.name)
        try output.attribute("value", property.value)
        try output.end()
    }

    /// `<failure>`/`<error>` with the stack as text, as every JUnit dialect has it.
    func writeResult(_ name: StaticString, _ error: ParsedError) throws(ExportError) {
        try output.start(name)
        try output.attribute("message", error.message)
        try output.attribute("type", error.type)
        if let stack = error.stack { try output.text(stack) }
        try output.end()
    }

    func writeCase(_ testCase: borrowing ParsedCase, suiteName: String) throws(ExportError) {
        let plan = JUnitCasePlan(testCase)
        try startCase(
            title: testCase.title, classname: testCase.classname, file: testCase.file, line: testCase.line,
            durationMs: testCase.durationMs, rawStatus: testCase.rawStatus, derivedStatus: plan.derivedStatus)
        try writeProperties(testCase.properties, JUnitVerdictProperties.make(for: testCase, plan: plan, suiteName: suiteName))
        let main = plan.attempts[plan.mainIndex]
        switch plan.mainResult {
        case .failure, .error:
            let name: StaticString = plan.mainResult == .failure ? "failure" : "error"
            // An empty element keeps a failed run without an error failed.
            for error in main.errors.isEmpty ? [ParsedError()] : main.errors { try writeResult(name, error) }
        case .skipped:
            try output.start("skipped")
            try output.attribute("message", testCase.skipReason)
            try output.end()
        case .none:
            break
        }
        for index in plan.attempts.indices { try writeRuns(of: index, plan) }
        try output.element("system-out", text: main.stdout)
        try output.element("system-err", text: main.stderr)
        try output.end()
    }

    /// A plain case is its `<testcase>` element alone, written as `writeCase` would write the
    /// case in full.
    func writeCase(_ plain: borrowing PlainCase, suiteName: String) throws(ExportError) {
        // The full case's only run would not equal it, which takes a `verdict.attempts`.
        if plain.durationMs?.isNaN == true { return try writeCase(ParsedCase(copy plain), suiteName: suiteName) }
        try startCase(
            title: plain.title, classname: plain.classname, file: plain.file, line: plain.line, durationMs: plain.durationMs,
            rawStatus: plain.rawStatus, derivedStatus: .passed)
        try writeProperties([], JUnitVerdictProperties.make(for: plain, suiteName: suiteName))
        try output.end()
    }

    /// `<testcase` with its attributes.
    /// - Parameter derivedStatus: what the case's elements will say; a raw status that is its
    ///   word is left out, the parser gives it back.
    private func startCase(
        title: String, classname: String?, file: String?, line: Int?, durationMs: Double?, rawStatus: String,
        derivedStatus: TestStatus
    ) throws(ExportError) {
        try output.start("testcase")
        try output.attribute("name", title)
        try output.attribute("classname", classname)
        try output.attribute("file", file)
        if let line { try output.attribute("line", line) }
        try output.seconds("time", milliseconds: durationMs)
        if !rawStatus.isEmpty, rawStatus != derivedStatus.junitWord { try output.attribute("status", rawStatus) }
    }

    /// Surefire's shape: attributes `message`, `type`, `time`; children `stackTrace`,
    /// `system-out`, `system-err`. An attempt's output goes with its first element.
    private func writeRuns(of index: Int, _ plan: JUnitCasePlan) throws(ExportError) {
        let count = plan.runCount(index)
        guard count > 0 else { return }
        let attempt = plan.attempts[index]
        let isError = attempt.status == .errored
        let name: StaticString =
            plan.runsAreReruns ? (isError ? "rerunError" : "rerunFailure") : (isError ? "flakyError" : "flakyFailure")
        for k in 0..<count {
            let error = k < attempt.errors.count ? attempt.errors[k] : nil
            try output.start(name)
            try output.attribute("message", error?.message)
            try output.attribute("type", error?.type)
            try output.seconds("time", milliseconds: attempt.durationMs)
            try output.element("stackTrace", text: error?.stack)
            if k == 0 {
                try output.element("system-out", text: attempt.stdout)
                try output.element("system-err", text: attempt.stderr)
            }
            try output.end()
        }
    }
}
