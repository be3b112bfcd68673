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
        guard state == .open else { throw .misuse(state == .ready ? "writeSuite before begin" : "writeSuite after finish") }
        try output.start("testsuite")
        try output.attribute("name", suite.name)
        try writeCounts(Self.totals(cases))
        try output.seconds("time", milliseconds: suite.durationMs)
        try output.attribute("timestamp", suite.timestamp)
        try output.attribute("hostname", suite.hostname)
        // Cases without a file would inherit the suite's on the way back in.
        if let file = suite.file, !cases.indices.contains(where: { XMLText.isBlank(cases[$0].file ?? "") }) {
            try output.attribute("file", file)
        }
        try writeProperties(suite.properties)
        for error in suite.errors { try writeResult("error", error) }
        let suiteName = XMLText.sanitized(suite.name)
        // Through the buffer each case is borrowed in place; the slice's subscript copies it.
        try cases.withUnsafeBufferPointer { (buffer) throws(ExportError) in
            for index in buffer.indices { try writeCase(buffer[index], suiteName: suiteName) }
        }
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
        for index in cases.indices {
            totals.tests += 1
            switch cases[index].status {
            case .passed: totals.passed += 1
            case .flaky: totals.passed += 1; totals.flaky += 1
            case .failed: totals.failed += 1
            case .skipped: totals.skipped += 1
            case .errored: totals.errors += 1
            }
        }
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
        try output.start("testcase")
        try output.attribute("name", testCase.title)
        try output.attribute("classname", testCase.classname)
        try output.attribute("file", testCase.file)
        if let line = testCase.line { try output.attribute("line", line) }
        try output.seconds("time", milliseconds: testCase.durationMs)
        // Most raw statuses are the word the parser gives the elements anyway.
        if !testCase.rawStatus.isEmpty, testCase.rawStatus != plan.derivedStatus.junitWord {
            try output.attribute("status", testCase.rawStatus)
        }
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
