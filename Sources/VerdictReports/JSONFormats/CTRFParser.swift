import VerdictJSON

/// Common Test Report Format (ctrf.io), both the specified shape (`reportFormat: "CTRF"`) and
/// the earlier reporter output: `suite` as a `" > "`-joined string instead of an array, and
/// `retry`/`flake` instead of `retries`/`flaky`.
struct CTRFParser {
    private var warnings = Warnings()
    /// CTRF has no suite objects; they are derived from the cases' paths, in first-seen order.
    private var suiteSlots: [[String]: Int] = [:]

    static func parse(_ document: JSONDocument, into emitter: inout CaseEmitter<some ReportSink>) throws(ReportStreamError) -> ReportSummary
    {
        guard let results = document.root["results"], results["tests"]?.arrayValue != nil else {
            throw .parse(ReportParseError(.notAReport, "not a CTRF report: missing 'results.tests'"))
        }
        var parser = CTRFParser()
        try document.forEachElement(at: ["results", "tests"]) { index, test throws(ReportStreamError) in
            let location = JSONPath().appending("results.tests").appending(index)
            guard test.objectValue != nil, let name = test["name"]?.text else {
                parser.warnings.add("\(location) is not a test (no name); skipped")
                return
            }
            var testCase = parser.makeCase(test, name: name, at: location)
            testCase.suiteIndex = parser.suiteSlot(for: testCase, in: &emitter)
            try emitter.emit(testCase)
        }
        let summary = results["summary"]
        let start = summary?["start"]?.epochMs
        let stop = summary?["stop"]?.epochMs
        let duration = summary?["duration"]?.durationMs ?? start.flatMap { s in stop.map { Double($0 - s) } }
        return try emitter.finish(
            ReportSummary(
                format: .ctrf, toolName: results["tool"]?["name"]?.nonEmptyText, toolVersion: results["tool"]?["version"]?.nonEmptyText,
                startedAtMs: start, durationMs: duration.flatMap { $0 >= 0 ? $0 : nil }, suites: emitter.suites,
                warnings: parser.warnings.all))
    }

    /// Registers the suites along the case's path (outermost first) and returns the innermost.
    private mutating func suiteSlot(for testCase: ParsedCase, in emitter: inout CaseEmitter<some ReportSink>) -> Int? {
        var slot: Int?
        for depth in stride(from: 1, through: testCase.suitePath.count, by: 1) {
            let path = Array(testCase.suitePath.prefix(depth))
            if let known = suiteSlots[path] {
                slot = known
                continue
            }
            let added = emitter.addSuite(ParsedSuite(name: path[depth - 1], path: path, file: depth == 1 ? testCase.file : nil))
            suiteSlots[path] = added
            slot = added
        }
        return slot
    }

    private mutating func makeCase(_ test: JSON, name: String, at location: JSONPath) -> ParsedCase {
        let raw = test["status"]?.stringValue ?? "other"
        let retries = (test["retries"] ?? test["retry"])?.int ?? 0
        let flakyFlag = (test["flaky"] ?? test["flake"]).map(\.isTrue)
        var status: TestStatus
        switch raw {
        case "passed": status = flakyFlag ?? (retries > 0) ? .flaky : .passed
        case "failed": status = .failed
        case "skipped", "pending": status = .skipped
        case "other": status = .skipped
        default:
            warnings.add("\(location): unknown status '\(raw)', counted as skipped")
            status = .skipped
        }
        let duration = test["duration"]?.durationMs
        var attachments = (test["attachments"]?.array ?? []).compactMap { CTRFParser.attachment($0, attempt: nil) }
        if let screenshot = test["screenshot"]?.nonEmptyText {
            attachments.append(ParsedAttachment(name: "screenshot", contentType: "image/png", inlineBase64: screenshot, kind: .screenshot))
        }
        let finalAttempt = ParsedAttempt(
            index: 0, status: status == .flaky ? .passed : status, durationMs: duration,
            errors: CTRFParser.error(test).map { [$0] } ?? [], stdout: CTRFParser.lines(test["stdout"]),
            stderr: CTRFParser.lines(test["stderr"]), startedAtMs: test["start"]?.epochMs)
        let attempts = self.attempts(test, final: finalAttempt, retries: retries, attachments: &attachments)
        let file = test["filePath"]?.nonEmptyText
        let suitePath = CTRFParser.suitePath(test["suite"], name: name)
        return ParsedCase(
            suitePath: suitePath, file: file, line: test["line"]?.int, title: CTRFParser.title(name, suitePath: suitePath),
            fullTitle: name, project: CTRFParser.browserName(test["browser"]?.nonEmptyText), status: status,
            rawStatus: test["rawStatus"]?.nonEmptyText ?? raw, durationMs: duration, attempts: attempts,
            attachments: attachments, tags: test["tags"]?.strings ?? [], properties: CTRFParser.properties(test))
    }

    /// `retryAttempts` lists the runs (the spec's examples include the final one); older reports
    /// only count `retries`, so those earlier runs are known to have failed but nothing more.
    private func attempts(_ test: JSON, final: ParsedAttempt, retries: Int, attachments: inout [ParsedAttachment]) -> [ParsedAttempt] {
        var attempts: [ParsedAttempt] = []
        for (offset, run) in (test["retryAttempts"]?.array ?? []).enumerated() {
            let status: TestStatus =
                switch run["status"]?.stringValue {
                case "passed": .passed
                case "skipped", "pending": .skipped
                default: .failed
                }
            attempts.append(
                ParsedAttempt(
                    index: offset, status: status, durationMs: run["duration"]?.durationMs,
                    errors: CTRFParser.error(run).map { [$0] } ?? [], stdout: CTRFParser.lines(run["stdout"]),
                    stderr: CTRFParser.lines(run["stderr"]), startedAtMs: run["start"]?.epochMs))
            attachments += (run["attachments"]?.array ?? []).compactMap { CTRFParser.attachment($0, attempt: offset) }
        }
        if attempts.isEmpty {
            attempts = (0..<retries).map { ParsedAttempt(index: $0, status: .failed) }
        }
        if attempts.count <= retries || attempts.isEmpty {
            var last = final
            last.index = attempts.count
            attempts.append(last)
        }
        return attempts
    }

    /// `["a", "b"]`, or the legacy `"a > b"`. Some reporters put the test's own title at the end
    /// of that string (vitest wrote the full title); it is not a suite.
    private static func suitePath(_ suite: JSON?, name: String) -> [String] {
        guard let suite else { return [] }
        if let list = suite.arrayValue { return list.compactMap(\.text) }
        guard let text = suite.stringValue else { return [] }
        var parts = Text.split(text, separator: " > ")
        if parts.last == name || parts.last == Text.split(name, separator: " > ").last { parts.removeLast() }
        return parts
    }

    /// Early vitest/jest reporters wrote the full title as the name (`suite > inner > test`).
    private static func title(_ name: String, suitePath: [String]) -> String {
        let prefix = suitePath.joined(separator: " > ") + " > "
        guard !suitePath.isEmpty, name.hasPrefix(prefix), name.count > prefix.count else { return name }
        return String(name.dropFirst(prefix.count))
    }

    /// `electron 138.0.7204.251` → `electron`: the version would split a test's history on
    /// every browser update.
    static func browserName(_ browser: String?) -> String? {
        guard let browser else { return nil }
        let words = browser.split(separator: " ")
        let kept = words.prefix { word in !(word.first?.isNumber ?? false) }
        return kept.isEmpty ? browser : kept.joined(separator: " ")
    }

    private static func error(_ test: JSON) -> ParsedError? {
        let message = test["message"]?.nonEmptyText.map(Text.strippingANSI)
        let trace = test["trace"]?.nonEmptyText.map(Text.strippingANSI)
        guard message != nil || trace != nil else { return nil }
        return ParsedError(message: message ?? trace.flatMap(Text.firstLine), stack: trace)
    }

    private static func attachment(_ json: JSON, attempt: Int?) -> ParsedAttachment? {
        guard let name = json["name"]?.text ?? json["path"]?.text else { return nil }
        return ParsedAttachment(
            name: name, contentType: json["contentType"]?.nonEmptyText, path: json["path"]?.nonEmptyText,
            inlineBase64: json["body"]?.nonEmptyText, attempt: attempt)
    }

    private static func lines(_ json: JSON?) -> String? {
        guard let json else { return nil }
        if let text = json.stringValue { return Text.nonBlank(text) }
        let lines = json.array.compactMap(\.text)
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    private static func properties(_ test: JSON) -> [ParsedProperty] {
        var properties: [ParsedProperty] = []
        if let type = test["type"]?.nonEmptyText { properties.append(ParsedProperty("type", type)) }
        if let browser = test["browser"]?.nonEmptyText { properties.append(ParsedProperty("browser", browser)) }
        for (key, value) in test["labels"]?.objectValue?.pairs ?? [] { properties.append(ParsedProperty(key, value.displayText)) }
        for (key, value) in test["parameters"]?.objectValue?.pairs ?? [] {
            properties.append(ParsedProperty("parameter.\(key)", value.displayText))
        }
        return properties
    }
}
