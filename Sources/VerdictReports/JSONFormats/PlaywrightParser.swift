import VerdictJSON

/// Playwright's JSON reporter: file suites → nested `describe` suites → specs → one test per
/// project → one result per attempt (retries).
///
/// The test's own `status` decides: `expected` → passed (or skipped when the test was expected
/// to skip), `unexpected` → failed, `flaky` → flaky, `skipped` → skipped.
struct PlaywrightParser<Sink: ReportSink> {
    private var warnings = Warnings()
    /// The earliest attempt start, standing in for the run's start in old reports.
    private var firstStart: Int64?

    static func parse(_ document: JSONDocument, into emitter: inout CaseEmitter<Sink>) throws(ReportStreamError) -> ReportSummary {
        let json = document.root
        guard json["config"]?.objectValue != nil, json["suites"]?.arrayValue != nil else {
            throw .parse(ReportParseError(.notAReport, "not a Playwright JSON report: missing 'config' or 'suites'"))
        }
        var parser = PlaywrightParser()
        try document.forEachElement(at: ["suites"]) { index, suite throws(ReportStreamError) in
            try parser.walk(suite, describes: [], file: nil, at: JSONPath().appending("suites").appending(index), into: &emitter)
        }
        let stats = json["stats"]
        // Reports before Playwright 1.39 have no `stats`: the first attempt's start stands in.
        return try emitter.finish(
            ReportSummary(
                format: .playwright, toolName: "playwright", toolVersion: json["config"]?["version"]?.nonEmptyText,
                startedAtMs: stats?["startTime"]?.epochMs ?? parser.firstStart,
                durationMs: stats?["duration"]?.durationMs ?? json["config"]?["metadata"]?["totalTime"]?.durationMs,
                suites: emitter.suites, runErrors: (json["errors"]?.array ?? []).map(PlaywrightFields.error(from:)),
                warnings: parser.warnings.all))
    }

    /// Top-level suites are files; their children are `describe` blocks. The file goes to
    /// `ParsedCase.file`, the describes make the suite path.
    private mutating func walk(
        _ suite: JSON, describes: [String], file: String?, at path: JSONPath, into emitter: inout CaseEmitter<Sink>
    ) throws(ReportStreamError) {
        guard suite.objectValue != nil else {
            warnings.add("\(path) is not an object; skipped")
            return
        }
        let isFileSuite = file == nil
        let title = suite["title"]?.text ?? ""
        let suiteFile = file ?? suite["file"]?.nonEmptyText ?? title
        let inner = isFileSuite ? describes : describes + [title]
        let slot = emitter.addSuite(ParsedSuite(name: title, path: isFileSuite ? [suiteFile] : [suiteFile] + inner, file: suiteFile))
        for (index, spec) in (suite["specs"]?.array ?? []).enumerated() {
            try addSpec(spec, describes: inner, file: suiteFile, suite: slot, at: path.appending("specs").appending(index), into: &emitter)
        }
        for (index, child) in (suite["suites"]?.array ?? []).enumerated() {
            try walk(child, describes: inner, file: suiteFile, at: path.appending("suites").appending(index), into: &emitter)
        }
    }

    private mutating func addSpec(
        _ spec: JSON, describes: [String], file: String, suite: Int, at path: JSONPath, into emitter: inout CaseEmitter<Sink>
    ) throws(ReportStreamError) {
        guard spec.objectValue != nil, let title = spec["title"]?.text else {
            warnings.add("\(path) has no title; skipped")
            return
        }
        let specFile = spec["file"]?.nonEmptyText ?? file
        let tags = spec["tags"]?.strings ?? []
        for (index, test) in (spec["tests"]?.array ?? []).enumerated() {
            let testPath = path.appending("tests").appending(index)
            guard test.objectValue != nil else {
                warnings.add("\(testPath) is not an object; skipped")
                continue
            }
            var testCase = makeCase(test, title: title, describes: describes, file: specFile, line: spec["line"]?.int, tags: tags)
            testCase.suiteIndex = suite
            for start in testCase.attempts.lazy.compactMap(\.startedAtMs) { firstStart = min(firstStart ?? start, start) }
            try emitter.emit(testCase)
        }
    }

    private func makeCase(_ test: JSON, title: String, describes: [String], file: String, line: Int?, tags: [String]) -> ParsedCase {
        let results = test["results"]?.array ?? []
        let attempts = results.enumerated().map { offset, result in
            ParsedAttempt(
                index: result["retry"]?.int ?? offset, status: PlaywrightFields.attemptStatus(result["status"]?.stringValue),
                durationMs: result["duration"]?.durationMs, errors: PlaywrightFields.errors(of: result),
                stdout: PlaywrightFields.output(result["stdout"]), stderr: PlaywrightFields.output(result["stderr"]),
                startedAtMs: result["startTime"]?.epochMs)
        }
        var attachments: [ParsedAttachment] = []
        for (offset, result) in results.enumerated() {
            for attachment in result["attachments"]?.array ?? [] {
                guard let name = attachment["name"]?.text else { continue }
                attachments.append(
                    ParsedAttachment(
                        name: name, contentType: attachment["contentType"]?.nonEmptyText, path: attachment["path"]?.nonEmptyText,
                        inlineBase64: attachment["body"]?.nonEmptyText, attempt: result["retry"]?.int ?? offset))
            }
        }
        let rawStatus = test["status"]?.stringValue ?? "unknown"
        let project = test["projectName"]?.nonEmptyText ?? test["projectId"]?.nonEmptyText
        let annotations = (test["annotations"]?.array ?? []).compactMap { note -> ParsedAnnotation? in
            guard let type = note["type"]?.text else { return nil }
            return ParsedAnnotation(type: type, description: note["description"]?.text)
        }
        let skip = annotations.first { $0.type == "skip" || $0.type == "fixme" }
        let status = PlaywrightFields.status(rawStatus, expected: test["expectedStatus"]?.stringValue, attempts: attempts)
        return ParsedCase(
            suitePath: describes, file: file, line: line, title: title,
            fullTitle: (describes + [title]).joined(separator: " › "), project: project, status: status,
            rawStatus: rawStatus, durationMs: PlaywrightFields.total(attempts.compactMap(\.durationMs)),
            attempts: attempts, attachments: attachments, tags: tags, annotations: annotations,
            skipReason: status == .skipped ? (skip?.description ?? skip.map { _ in "skipped" }) : nil)
    }
}

/// The parts of Playwright's format read without any parser state.
enum PlaywrightFields {
    static func status(_ raw: String, expected: String?, attempts: [ParsedAttempt]) -> TestStatus {
        switch raw {
        case "expected": return expected == "skipped" ? .skipped : .passed
        case "unexpected": return .failed
        case "flaky": return .flaky
        case "skipped": return .skipped
        default:
            // Older reporters may omit the status: the attempts tell the story.
            guard let last = attempts.last else { return .failed }
            if last.status == .passed, attempts.dropLast().contains(where: { $0.status == .failed }) { return .flaky }
            return last.status
        }
    }

    /// Time spent on the test across all its attempts.
    static func total(_ durations: [Double]) -> Double? {
        durations.isEmpty ? nil : durations.reduce(0, +)
    }

    /// `timedOut` and `interrupted` are failures of that attempt.
    static func attemptStatus(_ raw: String?) -> TestStatus {
        switch raw {
        case "passed": .passed
        case "skipped": .skipped
        default: .failed
        }
    }

    static func errors(of result: JSON) -> [ParsedError] {
        if let list = result["errors"]?.arrayValue, !list.isEmpty { return list.map(error(from:)) }
        if let single = result["error"], single.objectValue != nil { return [error(from: single)] }
        return []
    }

    /// Messages carry terminal colours (`\u{1B}[31m`), useless outside a terminal.
    static func error(from json: JSON) -> ParsedError {
        let stack = json["stack"]?.nonEmptyText ?? json["snippet"]?.nonEmptyText
        let message = json["message"]?.nonEmptyText ?? json["value"]?.nonEmptyText
        return ParsedError(message: message.map(Text.strippingANSI), stack: stack.map(Text.strippingANSI))
    }

    /// stdout entries are `{text}` or `{buffer}` (base64, for binary output).
    static func output(_ json: JSON?) -> String? {
        let chunks = (json?.array ?? []).compactMap { chunk -> String? in
            if let text = chunk["text"]?.stringValue { return text }
            if let buffer = chunk["buffer"]?.stringValue, let bytes = Base64.decode(buffer) {
                return String(decoding: bytes, as: UTF8.self)
            }
            return chunk.stringValue
        }
        return chunks.isEmpty ? nil : chunks.joined()
    }
}
