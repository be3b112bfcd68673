import VerdictJSON

/// What Verdict's own JUnit export stores in `<testcase>` properties: everything JUnit has no
/// place for, so that ingesting an export gives back the cases that were exported. Every value
/// is JSON (a string is quoted), which also carries control characters XML 1.0 cannot hold.
///
/// Public so that the exporter and the parser share one list of names.
public enum VerdictCaseProperty: String, CaseIterable, Sendable {
    case suitePath = "verdict.suite_path"
    case project = "verdict.project"
    case status = "verdict.status"
    case rawStatus = "verdict.raw_status"
    case skipReason = "verdict.skip_reason"
    case fullTitle = "verdict.full_title"
    case title = "verdict.title"
    case classname = "verdict.classname"
    case file = "verdict.file"
    case tags = "verdict.tags"
    case annotations = "verdict.annotations"
    case attachments = "verdict.attachments"
    /// `[{status, duration, start, index, runs, errors, main}]`, one per attempt in order: `runs`
    /// counts the flaky/rerun elements the attempt owns (document order), `errors` its errors;
    /// the `main` attempt also owns the case's `<failure>`/`<error>` elements and its output.
    case attempts = "verdict.attempts"
    /// `[{attempt, error?, field, value}]`: exact texts where the XML holds a sanitized copy.
    case texts = "verdict.texts"

    public static let prefix = "verdict."
}

/// Applied once the case is settled, and only when it has `verdict.` properties, so other JUnit
/// files parse exactly as before. A value that is not the JSON expected is left as a property.
enum VerdictCaseProperties {
    static func present(in properties: [ParsedProperty]) -> Bool {
        properties.contains { $0.name.hasPrefix(VerdictCaseProperty.prefix) }
    }

    static func apply(to testCase: inout ParsedCase, from outcome: JUnitCaseOutcome) {
        var kept: [ParsedProperty] = []
        var values: [(VerdictCaseProperty, JSON)] = []
        for property in testCase.properties {
            if let name = VerdictCaseProperty(rawValue: property.name), let value = try? JSON.parse(property.value) {
                values.append((name, value))
            } else {
                kept.append(property)
            }
        }
        testCase.properties = kept
        var texts: [JSON] = []
        var fullTitle: String?
        for (name, value) in values {
            switch name {
            case .suitePath: testCase.suitePath = value.array.compactMap(\.stringValue)
            case .project: testCase.project = value.stringValue
            case .status: if let status = value.stringValue.flatMap(TestStatus.init(rawValue:)) { testCase.status = status }
            case .rawStatus: testCase.rawStatus = value.stringValue ?? testCase.rawStatus
            case .skipReason: testCase.skipReason = value.stringValue
            case .fullTitle: fullTitle = value.stringValue
            case .title: testCase.title = value.stringValue ?? testCase.title
            case .classname: testCase.classname = value.stringValue
            case .file: testCase.file = value.stringValue
            case .tags: testCase.tags = value.array.compactMap(\.stringValue)
            case .annotations: testCase.annotations = value.array.compactMap(annotation)
            case .attachments: testCase.attachments = value.array.compactMap(attachment)
            case .attempts: if let attempts = attempts(value, outcome) { testCase.attempts = attempts }
            case .texts: texts = value.array
            }
        }
        // After title and classname, from which the default full title derives.
        if let fullTitle { testCase.fullTitle = fullTitle }
        // Last: the locations refer to the attempts as rebuilt above.
        for text in texts { restore(text, in: &testCase.attempts) }
    }

    private static func attempts(_ list: JSON, _ outcome: JUnitCaseOutcome) -> [ParsedAttempt]? {
        guard let items = list.arrayValue, !items.isEmpty else { return nil }
        let runs = outcome.earlierRuns
        var next = 0
        var attempts: [ParsedAttempt] = []
        for (position, item) in items.enumerated() {
            guard let status = item["status"]?.stringValue.flatMap(TestStatus.init(rawValue:)) else { return nil }
            let owned = Int(item["runs"]?.intValue ?? 0)
            guard owned >= 0, next + owned <= runs.count else { return nil }
            let mine = runs[next..<next + owned]
            next += owned
            let isMain = item["main"]?.boolValue ?? false
            var attempt = ParsedAttempt(
                index: item["index"]?.intValue.map { Int($0) } ?? position, status: status, durationMs: item["duration"]?.doubleValue,
                stdout: isMain ? outcome.stdout : mine.first?.stdout, stderr: isMain ? outcome.stderr : mine.first?.stderr,
                startedAtMs: item["start"]?.intValue)
            // Zero errors with elements present means those elements only carry the run (an
            // empty `<failure/>` that keeps the case failed, output of a run without an error).
            if (item["errors"]?.intValue ?? 0) > 0 {
                attempt.errors = (isMain ? outcome.resultErrors : []) + mine.map(\.error)
            }
            attempts.append(attempt)
        }
        return next == runs.count ? attempts : nil
    }

    private static func restore(_ text: JSON, in attempts: inout [ParsedAttempt]) {
        guard let a = text["attempt"]?.intValue.map({ Int($0) }), attempts.indices.contains(a), let field = text["field"]?.stringValue
        else { return }
        let value = text["value"]?.stringValue
        if let e = text["error"]?.intValue.map({ Int($0) }) {
            guard attempts[a].errors.indices.contains(e) else { return }
            switch field {
            case "message": attempts[a].errors[e].message = value
            case "type": attempts[a].errors[e].type = value
            case "stack": attempts[a].errors[e].stack = value
            default: break
            }
        } else if field == "stdout" {
            attempts[a].stdout = value
        } else if field == "stderr" {
            attempts[a].stderr = value
        }
    }

    private static func annotation(_ json: JSON) -> ParsedAnnotation? {
        guard let type = json["type"]?.stringValue else { return nil }
        return ParsedAnnotation(type: type, description: json["description"]?.stringValue)
    }

    private static func attachment(_ json: JSON) -> ParsedAttachment? {
        guard let name = json["name"]?.stringValue else { return nil }
        return ParsedAttachment(
            name: name, contentType: json["contentType"]?.stringValue, path: json["path"]?.stringValue,
            inlineBase64: json["body"]?.stringValue, kind: json["kind"]?.stringValue.flatMap(ParsedAttachment.Kind.init(rawValue:)),
            attempt: json["attempt"]?.intValue.map { Int($0) })
    }
}
