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
    /// A case completed by the last node, waiting to be handed out.
    private var ready: ParsedCase?
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

    /// Streams every case into `emitter`; suites are announced before their first case.
    mutating func run(into emitter: inout CaseEmitter<some ReportSink>) throws(ReportStreamError) -> ReportSummary {
        while let testCase = try streamNextCase() {
            emitter.syncSuites(suites)
            try emitter.emit(testCase)
        }
        emitter.syncSuites(suites)
        return try emitter.finish(summary())
    }

    private mutating func streamNextCase() throws(ReportStreamError) -> ParsedCase? {
        do {
            return try nextCase()
        } catch {
            // A failed read of the file shows up in libxml2 as a parse error; say what it was.
            if let inputError = reader.inputError { throw inputError }
            throw .parse(error)
        }
    }

    /// The next complete case, or nil at the end of the document.
    mutating func nextCase() throws(ReportParseError) -> ParsedCase? {
        do {
            while ready == nil, try readNode() {}
            return ready.take()
        } catch {
            guard reader.failedAtDocumentEnd, let innermost = open.last else { throw error }
            var truncated = error
            let name = innermost.kind.tagName.map { "<\($0)>" } ?? "an element"
            truncated.message = "malformed XML: the document ends before \(name) is closed (truncated file?)"
            throw truncated
        }
    }

    /// Handles one node; false at the end of the document.
    private mutating func readNode() throws(ReportParseError) -> Bool {
        guard try reader.read() else { return false }
        switch reader.nodeType {
        case .element: try startElement()
        case .endElement: endElement()
        case .text, .cdata, .whitespace, .significantWhitespace: appendText()
        case .entityReference:
            // Unreachable while XMLProlog rejects entity declarations; kept as a second lock.
            throw ReportParseError(.parseError, "entity references are not allowed", line: reader.line, column: reader.column)
        case .documentType:
            if !prologHasDoctype {
                throw ReportParseError(.parseError, "unexpected DOCTYPE", line: reader.line, column: reader.column)
            }
        case .other: break
        }
        return true
    }

    private func summary() -> ReportSummary {
        ReportSummary(
            format: .junit, startedAtMs: rootTimestamp ?? suites.compactMap(\.startedAtMs).min(),
            durationMs: rootDurationMs ?? topLevelDurationMs, suites: suites, warnings: warnings.all)
    }

    // MARK: - Elements

    private mutating func startElement() throws(ReportParseError) {
        guard let name = reader.localName else { return }
        var kind = JUnitElement(name)
        let isEmpty = reader.isEmptyElement
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
                currentCase = readCase()
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
        if isEmpty { endElement() }
    }

    private mutating func endElement() {
        guard let element = open.popLast() else { return }
        let parent = open.last?.kind
        switch element.kind {
        case .testsuite:
            endSuite()
        case .testcase:
            if var testCase = currentCase.take() {
                outcome.settle(&testCase)
                testCase.suiteIndex = currentCaseSuite
                ready = consume testCase
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

    private mutating func appendText() {
        guard let last = open.indices.last, open[last].kind.capturesText, let value = reader.value else { return }
        open[last].text.append(contentsOf: UnsafeBufferPointer(start: value, count: strlen(value)))
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
