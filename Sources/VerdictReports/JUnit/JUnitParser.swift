#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams a JUnit XML document into a `ParsedReport`.
///
/// Handles the dialects in the wild with one set of rules: Ant and Surefire (incl. flaky/rerun
/// elements), pytest, jest-junit, mocha, go-junit-report/gotestsum, PHPUnit's nested suites,
/// Bazel, xcresult conversions; `<testsuites>` or a bare `<testsuite>` as the root; cases at
/// any depth. Totals always come from the `<testcase>` elements, never from the counters the
/// file declares.
struct JUnitParser {
    /// An element not yet closed. Kept small: one is pushed and popped per element.
    struct OpenElement {
        var kind: JUnitElement
        var text: [UInt8] = []
    }

    /// What a result, earlier-run or property element carries, on its own stack because few
    /// elements need it.
    struct Details {
        var message: String?
        var type: String?
        var durationMs: Double?
        var name: String?
        var value: String?
        /// Children of a flaky/rerun element.
        var stack: String?
        var stdout: String?
        var stderr: String?
    }

    struct OpenSuite {
        var slot: Int
        var suite: ParsedSuite
    }

    let reader: XMLStreamReader
    private let prologHasDoctype: Bool
    private var open: [OpenElement] = []
    private var details: [Details] = []
    var openSuites: [OpenSuite] = []
    var suites: [ParsedSuite] = []
    /// The open `<testcase>`: its attributes, and what its children have said so far.
    private var currentCase: ParsedCase?
    /// Slot of the innermost suite open when the current case began.
    private var currentCaseSuite: Int?
    private var outcome = JUnitCaseOutcome()
    /// The last suite path extended with a classname (`classPathBase` + `classPathName`),
    /// shared by the cases of that class.
    private var classPathBase: [String] = []
    private var classPathName = ""
    private var classPath: [String] = []
    /// Cases completed by the last chunk, waiting to be handed out from `readyIndex` on.
    private var readyCases: [ParsedCase?] = []
    private var readyIndex = 0
    var warnings = Warnings()
    /// Consecutive cases usually share their class: one string serves them all.
    var classnames = RepeatedString()
    var rootDurationMs: Double?
    /// Sum over the outermost suites, for when the root gives no time.
    var topLevelDurationMs: Double?
    var rootTimestamp: Int64?

    /// Checks the prolog (`prefix`: the document's first bytes, at least up to the root element)
    /// and refuses roots other than `<testsuites>`/`<testsuite>` before libxml2 reads anything.
    static func checkedProlog(_ prefix: UnsafeBufferPointer<UInt8>, isWholeDocument: Bool) throws(ReportParseError) -> XMLProlog? {
        guard let prolog = try XMLProlog.scan(prefix, isWholeDocument: isWholeDocument) else { return nil }
        guard prolog.rootName == "testsuites" || prolog.rootName == "testsuite" else {
            throw ReportParseError(
                .notAReport, "not a JUnit report: the root element is <\(prolog.rootName)>, expected <testsuites> or <testsuite>")
        }
        return prolog
    }

    init(reader: XMLStreamReader, prolog: XMLProlog) {
        self.reader = reader
        self.prologHasDoctype = prolog.hasDoctype
    }

    /// The oldest case completed and not yet handed out.
    mutating func takeReadyCase() -> ParsedCase? {
        guard readyIndex < readyCases.count else { return nil }
        // Moved out, not copied: a copy retains each of the case's strings and arrays.
        let testCase = readyCases[readyIndex].take()
        readyIndex += 1
        if readyIndex == readyCases.count {
            readyCases.removeAll(keepingCapacity: true)
            readyIndex = 0
        }
        return testCase
    }

    /// Says what a truncated document left open, rather than libxml2's "Extra content at the
    /// end of the document".
    func explained(_ error: ReportParseError) -> ReportParseError {
        guard reader.failedAtDocumentEnd, let innermost = open.last else { return error }
        var truncated = error
        let name = innermost.kind.tagName.map { "<\($0)>" } ?? "an element"
        truncated.message = "malformed XML: the document ends before \(name) is closed (truncated file?)"
        return truncated
    }

    func doctype() -> ReportParseError? {
        prologHasDoctype ? nil : ReportParseError(.parseError, "unexpected DOCTYPE", line: reader.line, column: reader.column)
    }

    func summary() -> ReportSummary {
        ReportSummary(
            format: .junit, startedAtMs: rootTimestamp ?? suites.compactMap(\.startedAtMs).min(),
            durationMs: rootDurationMs ?? topLevelDurationMs, suites: suites, warnings: warnings.all)
    }

    // MARK: - Elements

    mutating func startElement(_ name: UnsafePointer<UInt8>) throws(ReportParseError) {
        var kind = JUnitElement(name)
        if open.isEmpty, kind != .testsuites, kind != .testsuite {
            throw ReportParseError(
                .notAReport, "not a JUnit report: the root element is <\(name.string)>", line: reader.line, column: reader.column)
        }
        switch kind {
        case .testsuites:
            if open.isEmpty { readRootAttributes() }
        case .testsuite:
            if currentCase == nil { beginSuite() } else { kind = .other }
        case .testcase:
            if currentCase == nil {
                var testCase = readCase()
                shareClassPath(&testCase)
                currentCase = consume testCase
                currentCaseSuite = openSuites.last?.slot
                outcome = JUnitCaseOutcome()
            } else {
                warnings.add("line \(reader.line): <testcase> nested in another <testcase> was skipped")
                kind = .other
            }
        case .failure, .error, .skipped, .flakyFailure, .flakyError, .rerunFailure, .rerunError:
            details.append(readResultAttributes())
        case .property:
            details.append(readPropertyAttributes())
        case .systemOut, .systemErr, .stackTrace, .properties, .other:
            break
        }
        open.append(OpenElement(kind: kind))
    }

    /// `JUnitCaseOutcome.settle` appends the classname to the suite path (same condition as
    /// here), which copies the suite's path array for every case. Appending it now, from one
    /// array shared by the class's cases, leaves settle nothing to do: the class is already last.
    private mutating func shareClassPath(_ testCase: inout ParsedCase) {
        guard let classname = testCase.classname, !classname.isEmpty, classname != testCase.title,
            classname != testCase.suitePath.last
        else { return }
        if !classPath.isEmpty, classPathName.hasSameUTF8(as: classname), classPathBase.hasSameUTF8(as: testCase.suitePath) {
            testCase.suitePath = classPath
            return
        }
        classPathBase = testCase.suitePath
        classPathName = classname
        classPath = testCase.suitePath + [classname]
        testCase.suitePath = classPath
    }

    mutating func endElement() {
        guard let element = open.popLast() else { return }
        let parent = open.last?.kind
        switch element.kind {
        case .testsuite:
            endSuite()
        case .testcase:
            if var testCase = currentCase.take() {
                outcome.settle(&testCase)
                testCase.suiteIndex = currentCaseSuite
                readyCases.append(consume testCase)
            }
        case .failure, .error, .skipped:
            guard let detail = details.popLast() else { return }
            let error = ParsedError(message: detail.message, type: detail.type, stack: Text.nonBlank(element.text))
            if parent == .testcase, currentCase != nil {
                outcome.addResult(element.kind, error)
            } else if parent == .testsuite, element.kind != .skipped, let last = openSuites.indices.last {
                // A suite that failed as a whole (a class that did not load): no case to blame.
                openSuites[last].suite.errors.append(error)
            }
        case .flakyFailure, .flakyError, .rerunFailure, .rerunError:
            guard let detail = details.popLast(), parent == .testcase, currentCase != nil else { return }
            let kind = element.kind
            outcome.addEarlierRun(
                JUnitCaseOutcome.EarlierRun(
                    isError: kind == .flakyError || kind == .rerunError,
                    isFlaky: kind == .flakyFailure || kind == .flakyError,
                    error: ParsedError(message: detail.message, type: detail.type, stack: detail.stack ?? Text.nonBlank(element.text)),
                    durationMs: detail.durationMs, stdout: detail.stdout, stderr: detail.stderr))
        case .stackTrace:
            if let parent, parent.isEarlierRun, !details.isEmpty { details[details.count - 1].stack = Text.nonBlank(element.text) }
        case .systemOut, .systemErr:
            attachOutput(Text.nonBlank(element.text), isOut: element.kind == .systemOut, parent: parent)
        case .property:
            guard let detail = details.popLast() else { return }
            addProperty(detail, text: element.text)
        case .testsuites, .properties, .other:
            break
        }
    }

    /// Whether text at this point is kept: the innermost open element captures it.
    var capturesText: Bool { open.last?.kind.capturesText ?? false }

    mutating func appendText(_ bytes: UnsafePointer<UInt8>, count: Int) {
        guard let last = open.indices.last, open[last].kind.capturesText else { return }
        open[last].text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
    }

    private mutating func attachOutput(_ text: String?, isOut: Bool, parent: JUnitElement?) {
        guard let text else { return }
        switch parent {
        case .testcase:
            if isOut { outcome.stdout = text } else { outcome.stderr = text }
        case .testsuite:
            guard let last = openSuites.indices.last else { return }
            if isOut { openSuites[last].suite.systemOut = text } else { openSuites[last].suite.systemErr = text }
        case let kind? where kind.isEarlierRun:
            guard let last = details.indices.last else { return }
            if isOut { details[last].stdout = text } else { details[last].stderr = text }
        default:
            break
        }
    }

    /// `<property>` sits in `<properties>` of a case or a suite; its value is an attribute or,
    /// in some generators, the element's text.
    private mutating func addProperty(_ detail: Details, text: [UInt8]) {
        guard open.count >= 2, open[open.count - 1].kind == .properties, let name = detail.name else { return }
        let property = ParsedProperty(name, detail.value ?? Text.nonBlank(text).map(Text.trimmed) ?? "")
        switch open[open.count - 2].kind {
        case .testcase: currentCase?.properties.append(property)
        case .testsuite:
            if let last = openSuites.indices.last { openSuites[last].suite.properties.append(property) }
        default: break
        }
    }

    private mutating func endSuite() {
        guard var finished = openSuites.popLast() else { return }
        let suite = finished.suite
        if suite.systemOut != nil || suite.systemErr != nil {
            finished.suite.attachments = AttachmentMarkers.extract(from: suite.systemOut, suite.systemErr)
        }
        suites[finished.slot] = finished.suite
    }
}
