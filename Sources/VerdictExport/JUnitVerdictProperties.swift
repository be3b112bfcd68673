import VerdictJSON
import VerdictReports

/// The `verdict.` testcase properties (see `VerdictCaseProperty`): only what the elements and
/// attributes cannot say, so an ordinary JUnit case gets none and costs nothing extra.
enum JUnitVerdictProperties {
    /// - Parameter suiteName: the `<testsuite>`'s name as written (sanitized).
    static func make(for testCase: borrowing ParsedCase, plan: JUnitCasePlan, suiteName: String) -> [ParsedProperty] {
        var out: [ParsedProperty] = []
        func add(_ name: VerdictCaseProperty, _ value: JSON) { property(name, value, to: &out) }

        addNames(
            title: testCase.title, classname: testCase.classname, file: testCase.file, suitePath: testCase.suitePath,
            rawStatus: testCase.rawStatus, suiteName: suiteName, to: &out)
        if let project = testCase.project { add(.project, .string(project)) }
        if plan.derivedStatus != testCase.status { add(.status, .string(testCase.status.rawValue)) }
        if let reason = testCase.skipReason, testCase.status != .skipped || XMLText.isBlank(reason) || !XMLText.isLegal(reason) {
            add(.skipReason, .string(reason))
        }
        if !testCase.hasDerivedFullTitle { add(.fullTitle, .string(testCase.fullTitle)) }
        if !testCase.tags.isEmpty { add(.tags, JSON(testCase.tags)) }
        if !testCase.annotations.isEmpty { add(.annotations, .array(testCase.annotations.map(json))) }
        if !testCase.attachments.isEmpty { add(.attachments, .array(testCase.attachments.map(json))) }
        if !plan.isPlain(caseDurationMs: testCase.durationMs) { add(.attempts, attempts(plan)) }
        let texts = exactTexts(plan.attempts)
        if !texts.isEmpty { add(.texts, .array(texts)) }
        return out
    }

    /// A plain case passed in one run as long as itself: only its names can need a property.
    static func make(for plain: borrowing PlainCase, suiteName: String) -> [ParsedProperty] {
        var out: [ParsedProperty] = []
        addNames(
            title: plain.title, classname: plain.classname, file: plain.file, suitePath: plain.suitePath,
            rawStatus: plain.rawStatus, suiteName: suiteName, to: &out)
        return out
    }

    /// The properties for what the `<testcase>`'s attributes and `<testsuite>` cannot carry of
    /// its names: a suite path the parser would not rebuild, a raw status the `status`
    /// attribute cannot hold, and texts with characters XML forbids.
    private static func addNames(
        title: String, classname: String?, file: String?, suitePath: [String], rawStatus: String, suiteName: String,
        to out: inout [ParsedProperty]
    ) {
        func add(_ name: VerdictCaseProperty, _ value: JSON) { property(name, value, to: &out) }
        // Each text is scanned once: the title and classname are needed twice.
        let titleIsLegal = XMLText.isLegal(title)
        let classnameIsLegal = classname.map(XMLText.isLegal) ?? true
        if !naturalPathMatches(
            suitePath, title: titleIsLegal ? title : XMLText.sanitized(title),
            classname: (classnameIsLegal ? classname : classname.map(XMLText.sanitized)) ?? "", suiteName: suiteName)
        {
            add(.suitePath, JSON(suitePath))
        }
        if rawStatus.isEmpty || !XMLText.isLegal(rawStatus) { add(.rawStatus, .string(rawStatus)) }
        if !titleIsLegal { add(.title, .string(title)) }
        if !classnameIsLegal, let classname { add(.classname, .string(classname)) }
        if let file, !XMLText.isLegal(file) { add(.file, .string(file)) }
    }

    private static func property(_ name: VerdictCaseProperty, _ value: JSON, to out: inout [ParsedProperty]) {
        out.append(ParsedProperty(name.rawValue, xmlSafeJSON(value)))
    }

    /// JSON escapes the control characters XML forbids, but not U+FFFE and U+FFFF, which are
    /// only ever inside strings and so can be escaped after the fact.
    private static func xmlSafeJSON(_ value: JSON) -> String {
        let text = value.text
        guard !XMLText.isLegal(text) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFFFE: out += "\\ufffe"
            case 0xFFFF: out += "\\uffff"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The parser's suite path for a case: its `<testsuite>`'s name, then the classname unless
    /// it repeats the suite or the title. Compared on the sanitized text, which is what it reads.
    private static func naturalPathMatches(_ path: [String], title: String, classname: String, suiteName suite: String) -> Bool {
        let addsClass = !classname.isEmpty && classname != title && (suite.isEmpty || classname != suite)
        guard path.count == (suite.isEmpty ? 0 : 1) + (addsClass ? 1 : 0) else { return false }
        var i = 0
        if !suite.isEmpty {
            guard path[i] == suite else { return false }
            i += 1
        }
        return !addsClass || path[i] == classname
    }

    private static func attempts(_ plan: JUnitCasePlan) -> JSON {
        .array(
            plan.attempts.enumerated().map { position, attempt in
                var item = JSONObject()
                item["status"] = .string(attempt.status.rawValue)
                if let duration = attempt.durationMs { item["duration"] = .double(duration) }
                if let start = attempt.startedAtMs { item["start"] = .int(start) }
                if attempt.index != position { item["index"] = .int(Int64(attempt.index)) }
                item["runs"] = .int(Int64(plan.runCount(position)))
                item["errors"] = .int(Int64(attempt.errors.count))
                if position == plan.mainIndex { item["main"] = true }
                return .object(item)
            })
    }

    /// Texts the XML cannot hold as they are: with characters XML 1.0 forbids, or element text
    /// that is only whitespace (the parser reads that as no text at all).
    private static func exactTexts(_ attempts: [ParsedAttempt]) -> [JSON] {
        var texts: [JSON] = []
        func check(_ value: String?, _ field: String, attempt: Int, error: Int?, isElementText: Bool) {
            guard let value, !XMLText.isLegal(value) || (isElementText && XMLText.isBlank(value)) else { return }
            var item = JSONObject()
            item["attempt"] = .int(Int64(attempt))
            if let error { item["error"] = .int(Int64(error)) }
            item["field"] = .string(field)
            item["value"] = .string(value)
            texts.append(.object(item))
        }
        for (a, attempt) in attempts.enumerated() {
            for (e, error) in attempt.errors.enumerated() {
                check(error.message, "message", attempt: a, error: e, isElementText: false)
                check(error.type, "type", attempt: a, error: e, isElementText: false)
                check(error.stack, "stack", attempt: a, error: e, isElementText: true)
            }
            check(attempt.stdout, "stdout", attempt: a, error: nil, isElementText: true)
            check(attempt.stderr, "stderr", attempt: a, error: nil, isElementText: true)
        }
        return texts
    }

    private static func json(_ annotation: ParsedAnnotation) -> JSON {
        var item = JSONObject()
        item["type"] = .string(annotation.type)
        if let description = annotation.description { item["description"] = .string(description) }
        return .object(item)
    }

    private static func json(_ attachment: ParsedAttachment) -> JSON {
        var item = JSONObject()
        item["name"] = .string(attachment.name)
        if let contentType = attachment.contentType { item["contentType"] = .string(contentType) }
        if let path = attachment.path { item["path"] = .string(path) }
        if let body = attachment.inlineBase64 { item["body"] = .string(body) }
        item["kind"] = .string(attachment.kind.rawValue)
        if let attempt = attachment.attempt { item["attempt"] = .int(Int64(attempt)) }
        return .object(item)
    }
}
