import VerdictJSON

/// Jest's results: the `jest --json` output (`testResults[].assertionResults[]`, also what Detox
/// writes) and the AggregatedResult that reporters and `testResultsProcessor` see
/// (`testResults[].testResults[]`). One suite per test file; `describe` titles make the path.
struct JestParser {
    private var warnings = Warnings()
    private var latestEndMs: Int64?

    static func parse(_ document: JSONDocument, into emitter: inout CaseEmitter<some ReportSink>) throws(ReportStreamError) -> ReportSummary
    {
        let json = document.root
        guard json["testResults"]?.arrayValue != nil else {
            throw .parse(ReportParseError(.notAReport, "not a Jest report: missing 'testResults'"))
        }
        var parser = JestParser()
        try document.forEachElement(at: ["testResults"]) { index, file throws(ReportStreamError) in
            let location = JSONPath().appending("testResults").appending(index)
            guard file.objectValue != nil else {
                parser.warnings.add("\(location) is not an object; skipped")
                return
            }
            try parser.addFile(file, at: location, into: &emitter)
        }
        let start = json["startTime"]?.epochMs
        let duration = start.flatMap { start in parser.latestEndMs.map { Double($0 - start) } }
        return try emitter.finish(
            ReportSummary(
                format: .jest, toolName: "jest", startedAtMs: start, durationMs: duration.flatMap { $0 >= 0 ? $0 : nil },
                suites: emitter.suites, warnings: parser.warnings.all))
    }

    private mutating func addFile(
        _ file: JSON, at location: JSONPath, into emitter: inout CaseEmitter<some ReportSink>
    ) throws(ReportStreamError) {
        let path = file["testFilePath"]?.nonEmptyText ?? file["name"]?.nonEmptyText
        let assertions = file["assertionResults"]?.arrayValue ?? file["testResults"]?.array ?? []
        let project = file["displayName"]?.nonEmptyText ?? file["displayName"]?["name"]?.nonEmptyText
        let start = file["perfStats"]?["start"]?.epochMs ?? file["startTime"]?.epochMs
        let end = file["perfStats"]?["end"]?.epochMs ?? file["endTime"]?.epochMs
        if let end { latestEndMs = max(latestEndMs ?? end, end) }
        let slot = emitter.addSuite(
            ParsedSuite(
                name: path ?? "", path: path.map { [$0] } ?? [], file: path, startedAtMs: start,
                durationMs: start.flatMap { s in end.map { Double($0 - s) } }, errors: fileErrors(file, hasTests: !assertions.isEmpty)))
        let key = file["assertionResults"] != nil ? "assertionResults" : "testResults"
        for (index, assertion) in assertions.enumerated() {
            let testLocation = location.appending(key).appending(index)
            guard assertion.objectValue != nil, let title = assertion["title"]?.text else {
                warnings.add("\(testLocation) is not a test (no title); skipped")
                continue
            }
            var testCase = makeCase(assertion, title: title, file: path, project: project, at: testLocation)
            testCase.suiteIndex = slot
            try emitter.emit(testCase)
        }
    }

    /// A file that failed to run (syntax error, failing import) has no tests, only a message.
    private func fileErrors(_ file: JSON, hasTests: Bool) -> [ParsedError] {
        if let exec = file["testExecError"], !exec.isNull {
            let message = exec["message"]?.nonEmptyText ?? exec.nonEmptyText
            return [ParsedError(message: message.map(Text.strippingANSI), stack: exec["stack"]?.nonEmptyText.map(Text.strippingANSI))]
        }
        guard !hasTests, let text = (file["failureMessage"] ?? file["message"])?.nonEmptyText else { return [] }
        let clean = Text.strippingANSI(text)
        return [ParsedError(message: Text.firstLine(clean), stack: clean)]
    }

    private mutating func makeCase(_ test: JSON, title: String, file: String?, project: String?, at location: JSONPath) -> ParsedCase {
        let raw = test["status"]?.stringValue ?? "unknown"
        let retryReasons = (test["retryReasons"]?.array ?? []).map { Text.strippingANSI($0.displayText) }
        let invocations = max(test["invocations"]?.int ?? 1, retryReasons.count + 1)
        var status: TestStatus
        switch raw {
        case "passed", "focused": status = invocations > 1 ? .flaky : .passed
        case "failed": status = .failed
        case "pending", "skipped", "todo", "disabled": status = .skipped
        default:
            warnings.add("\(location): unknown status '\(raw)', counted as skipped")
            status = .skipped
        }
        let duration = test["duration"]?.durationMs
        let errors = (test["failureMessages"]?.array ?? []).compactMap { message -> ParsedError? in
            guard let text = message.nonEmptyText.map(Text.strippingANSI) else { return nil }
            return ParsedError(message: Text.firstLine(text), stack: text)
        }
        // Jest keeps only the reasons of the failed invocations before the last one.
        var attempts = (0..<(invocations - 1)).map { index in
            ParsedAttempt(
                index: index, status: .failed,
                errors: index < retryReasons.count
                    ? [ParsedError(message: Text.firstLine(retryReasons[index]), stack: retryReasons[index])] : [])
        }
        attempts.append(
            ParsedAttempt(
                index: invocations - 1, status: status == .flaky ? .passed : status, durationMs: duration, errors: errors,
                startedAtMs: test["startAt"]?.epochMs))
        let ancestors = test["ancestorTitles"]?.strings ?? []
        return ParsedCase(
            suitePath: ancestors, file: file, line: test["location"]?["line"]?.int, title: title,
            fullTitle: test["fullName"]?.nonEmptyText ?? (ancestors + [title]).joined(separator: " "), project: project,
            status: status, rawStatus: raw, durationMs: duration, attempts: attempts)
    }
}
