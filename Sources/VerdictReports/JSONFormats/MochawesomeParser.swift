import VerdictJSON

/// Mochawesome JSON, which Cypress runs commonly produce: one file per spec or a merged file
/// (`mochawesome-merge`). Version 4+ writes `results: [rootSuite...]`, older versions a single
/// `suites` object. Screenshots and other context added with `addContext` become attachments.
struct MochawesomeParser {
    private var runErrors: [ParsedError] = []
    private var warnings = Warnings()

    static func parse(_ document: JSONDocument, into emitter: inout CaseEmitter<some ReportSink>) throws(ReportStreamError) -> ReportSummary
    {
        let json = document.root
        guard let stats = json["stats"], stats.objectValue != nil else {
            throw .parse(ReportParseError(.notAReport, "not a mochawesome report: missing 'stats'"))
        }
        var parser = MochawesomeParser()
        if json["results"]?.arrayValue != nil {
            try document.forEachElement(at: ["results"]) { index, root throws(ReportStreamError) in
                // mochawesome writes `false` for a spec whose root suite is empty.
                guard root.objectValue != nil else { return }
                try parser.walk(root, path: [], file: nil, at: JSONPath().appending("results").appending(index), into: &emitter)
            }
        } else if let root = json["suites"], root.objectValue != nil {
            try parser.walk(root, path: [], file: nil, at: JSONPath().appending("suites"), into: &emitter)
        } else {
            throw .parse(ReportParseError(.notAReport, "not a mochawesome report: no 'results' array or 'suites' object"))
        }
        return try emitter.finish(
            ReportSummary(
                format: .mochawesome, toolName: "mochawesome", toolVersion: json["meta"]?["mochawesome"]?["version"]?.nonEmptyText,
                startedAtMs: stats["start"]?.epochMs, durationMs: stats["duration"]?.durationMs,
                suites: emitter.suites, runErrors: parser.runErrors, warnings: parser.warnings.all))
    }

    private mutating func walk(
        _ suite: JSON, path: [String], file: String?, at location: JSONPath, into emitter: inout CaseEmitter<some ReportSink>
    ) throws(ReportStreamError) {
        let title = suite["title"]?.text ?? ""
        let isRoot = suite["root"]?.isTrue == true || (path.isEmpty && title.isEmpty)
        let suiteFile = suite["file"]?.nonEmptyText ?? suite["fullFile"]?.nonEmptyText ?? file
        let suitePath = isRoot || title.isEmpty ? path : path + [title]
        let hookErrors = failedHooks(suite)
        var slot: Int?
        if isRoot {
            runErrors += hookErrors
        } else {
            slot = emitter.addSuite(
                ParsedSuite(
                    name: title, path: suitePath, file: suiteFile, durationMs: suite["duration"]?.durationMs, errors: hookErrors))
        }
        for (index, test) in (suite["tests"]?.array ?? []).enumerated() {
            let testLocation = location.appending("tests").appending(index)
            guard test.objectValue != nil, let testTitle = test["title"]?.text else {
                warnings.add("\(testLocation) is not a test (no title); skipped")
                continue
            }
            var testCase = makeCase(test, title: testTitle, suitePath: suitePath, file: suiteFile)
            testCase.suiteIndex = slot
            try emitter.emit(testCase)
        }
        for (index, child) in (suite["suites"]?.array ?? []).enumerated() {
            let childLocation = location.appending("suites").appending(index)
            guard child.objectValue != nil else {
                warnings.add("\(childLocation) is not a suite; skipped")
                continue
            }
            try walk(child, path: suitePath, file: suiteFile, at: childLocation, into: &emitter)
        }
    }

    private func makeCase(_ test: JSON, title: String, suitePath: [String], file: String?) -> ParsedCase {
        let (status, raw) = MochawesomeParser.status(test)
        let error = MochawesomeParser.error(test["err"])
        let context = MochawesomeContext(test["context"])
        let duration = test["duration"]?.durationMs
        return ParsedCase(
            suitePath: suitePath, file: file, title: title, fullTitle: test["fullTitle"]?.nonEmptyText,
            status: status, rawStatus: raw, durationMs: duration,
            attempts: [ParsedAttempt(index: 0, status: status, durationMs: duration, errors: error.map { [$0] } ?? [])],
            attachments: context.attachments, annotations: context.annotations)
    }

    /// The counting rule of the corpus: `fail` wins over `pass`, `pending` is a skip the author
    /// asked for, anything else (Cypress skips the rest of a spec after a failed hook) is skipped.
    private static func status(_ test: JSON) -> (TestStatus, String) {
        let state = test["state"]?.stringValue
        if test["fail"]?.isTrue == true || state == "failed" { return (.failed, state ?? "failed") }
        if test["pass"]?.isTrue == true || state == "passed" { return (.passed, state ?? "passed") }
        if test["pending"]?.isTrue == true || state == "pending" { return (.skipped, "pending") }
        return (.skipped, state ?? "skipped")
    }

    private static func error(_ err: JSON?) -> ParsedError? {
        guard let err, err.objectValue != nil else { return nil }
        let message = err["message"]?.nonEmptyText.map(Text.strippingANSI)
        let stack = err["estack"]?.nonEmptyText.map(Text.strippingANSI)
        guard message != nil || stack != nil else { return nil }
        return ParsedError(message: message ?? stack.flatMap(Text.firstLine), stack: stack)
    }

    private func failedHooks(_ suite: JSON) -> [ParsedError] {
        ((suite["beforeHooks"]?.array ?? []) + (suite["afterHooks"]?.array ?? [])).compactMap { hook in
            guard hook["fail"]?.isTrue == true || hook["state"]?.stringValue == "failed" else { return nil }
            let error = MochawesomeParser.error(hook["err"])
            return ParsedError(
                message: error?.message ?? hook["title"]?.text, type: hook["title"]?.text ?? "hook", stack: error?.stack)
        }
    }
}

/// `addContext` values, stored by mochawesome as a JSON-encoded string: a string, an object
/// `{title, value}`, or an array of those. File paths and URLs become attachments (Cypress
/// screenshots and videos), the rest annotations.
struct MochawesomeContext {
    var attachments: [ParsedAttachment] = []
    var annotations: [ParsedAnnotation] = []

    init(_ context: JSON?) {
        guard let context else { return }
        if case .string(let encoded) = context {
            add((try? JSON.parse(encoded)) ?? context, title: nil)
        } else {
            add(context, title: nil)
        }
    }

    private mutating func add(_ value: JSON, title: String?) {
        switch value {
        case .array(let items):
            for item in items { add(item, title: title) }
        case .object:
            if let inner = value["value"] { add(inner, title: value["title"]?.text ?? title) }
        case .string(let text):
            if MochawesomeContext.isFileReference(text) {
                let name = title ?? text.split(separator: "/").last.map(String.init) ?? text
                attachments.append(ParsedAttachment(name: name, path: text))
            } else {
                annotations.append(ParsedAnnotation(type: title ?? "context", description: text))
            }
        case .null:
            break
        default:
            annotations.append(ParsedAnnotation(type: title ?? "context", description: value.displayText))
        }
    }

    private static let fileExtensions = [
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4", ".webm", ".zip", ".log", ".txt", ".html", ".json",
    ]

    static func isFileReference(_ text: String) -> Bool {
        guard !text.contains(where: \.isNewline), text.count < 2048 else { return false }
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") || fileExtensions.contains { lower.hasSuffix($0) }
    }
}
