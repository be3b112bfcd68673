import VerdictJSON
import VerdictReports

/// One CTRF test object. The final attempt fills the test-level fields (message, trace, output);
/// when the test ran more than once, or its one run differs from the test as a whole, every run
/// is listed in `retryAttempts` (the final one included, as the spec's examples do).
enum CTRFTestWriter {
    /// The schema requires a non-empty name; the empty original is kept in `extra.verdict.title`.
    static let unnamed = "(unnamed test)"

    static func write(_ testCase: ParsedCase, to out: inout [UInt8]) {
        let attempts =
            testCase.attempts.isEmpty
            ? [ParsedAttempt(index: 0, status: testCase.status == .flaky ? .passed : testCase.status, durationMs: testCase.durationMs)]
            : testCase.attempts
        let final = attempts[attempts.count - 1]
        let listsAttempts =
            attempts.count > 1 || final.durationMs != testCase.durationMs
            || final.status != (testCase.status == .flaky ? .passed : testCase.status)
        var test = JSONObjectWriter(&out)
        test.key("name", &out)
        JSONStrings.append(testCase.title.isEmpty ? unnamed : testCase.title, to: &out)
        test.key("status", &out)
        JSONStrings.append(status(testCase.status), to: &out)
        test.key("duration", &out)
        CTRFNumbers.append(CTRFNumbers.milliseconds(testCase.durationMs), to: &out)
        if let start = final.startedAtMs {
            test.key("start", &out)
            CTRFNumbers.append(start, to: &out)
        }
        if !testCase.suitePath.isEmpty {
            test.key("suite", &out)
            JSONStrings.append(testCase.suitePath, to: &out)
        }
        writeError(final.error, &test, &out)
        if let line = testCase.line {
            test.key("line", &out)
            CTRFNumbers.append(Int64(line), to: &out)
        }
        if !testCase.rawStatus.isEmpty {
            test.key("rawStatus", &out)
            JSONStrings.append(testCase.rawStatus, to: &out)
        }
        if !testCase.tags.isEmpty {
            test.key("tags", &out)
            JSONStrings.append(testCase.tags, to: &out)
        }
        if let file = testCase.file {
            test.key("filePath", &out)
            JSONStrings.append(file, to: &out)
        }
        if attempts.count > 1 {
            test.key("retries", &out)
            CTRFNumbers.append(Int64(attempts.count - 1), to: &out)
        }
        if testCase.status == .flaky || attempts.count > 1 {
            test.key("flaky", &out)
            out.append(contentsOf: (testCase.status == .flaky ? "true" : "false").utf8)
        }
        if let project = testCase.project {
            test.key("browser", &out)
            JSONStrings.append(project, to: &out)
        }
        writeOutput(final, &test, &out)
        let ownAttachments = testCase.attachments.filter { !listsAttempts || $0.attempt == nil }
        if !ownAttachments.isEmpty {
            test.key("attachments", &out)
            JSON.array(ownAttachments.map(attachment)).write(to: &out)
        }
        if !testCase.properties.isEmpty {
            test.key("labels", &out)
            JSON.object(JSONObject(testCase.properties.map { (key: $0.name, value: JSON.string($0.value)) })).write(to: &out)
        }
        if listsAttempts {
            test.key("retryAttempts", &out)
            out.append(UInt8(ascii: "["))
            for (position, attempt) in attempts.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                writeAttempt(attempt, number: position + 1, attachments: testCase.attachments.filter { $0.attempt == position }, &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let extra = CTRFExtra.verdict(testCase, attempts) {
            test.key("extra", &out)
            JSON.object(JSONObject([(key: "verdict", value: extra)])).write(to: &out)
        }
        test.close(&out)
    }

    private static func writeAttempt(_ attempt: ParsedAttempt, number: Int, attachments: [ParsedAttachment], _ out: inout [UInt8]) {
        var item = JSONObjectWriter(&out)
        item.key("attempt", &out)
        CTRFNumbers.append(Int64(number), to: &out)
        item.key("status", &out)
        JSONStrings.append(status(attempt.status), to: &out)
        if let duration = attempt.durationMs {
            item.key("duration", &out)
            CTRFNumbers.append(CTRFNumbers.milliseconds(duration), to: &out)
        }
        writeError(attempt.error, &item, &out)
        writeOutput(attempt, &item, &out)
        if let start = attempt.startedAtMs {
            item.key("start", &out)
            CTRFNumbers.append(start, to: &out)
        }
        if !attachments.isEmpty {
            item.key("attachments", &out)
            JSON.array(attachments.map(attachment)).write(to: &out)
        }
        item.close(&out)
    }

    /// CTRF has one message and trace per run: the first error's (the others go to `extra`).
    private static func writeError(_ error: ParsedError?, _ object: inout JSONObjectWriter, _ out: inout [UInt8]) {
        if let message = error?.message {
            object.key("message", &out)
            JSONStrings.append(message, to: &out)
        }
        if let stack = error?.stack {
            object.key("trace", &out)
            JSONStrings.append(stack, to: &out)
        }
    }

    /// Output as the schema has it, an array of lines; joined with `\n` it is the text again.
    private static func writeOutput(_ attempt: ParsedAttempt, _ object: inout JSONObjectWriter, _ out: inout [UInt8]) {
        if let stdout = attempt.stdout {
            object.key("stdout", &out)
            JSONStrings.append(lines(stdout), to: &out)
        }
        if let stderr = attempt.stderr {
            object.key("stderr", &out)
            JSONStrings.append(lines(stderr), to: &out)
        }
    }

    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func status(_ status: TestStatus) -> String {
        switch status {
        case .passed, .flaky: "passed"
        case .failed, .errored: "failed"
        case .skipped: "skipped"
        }
    }

    /// The schema requires a content type and a path; an inline body has no field of its own.
    private static func attachment(_ attachment: ParsedAttachment) -> JSON {
        var item = JSONObject()
        item["name"] = .string(attachment.name)
        item["contentType"] = .string(attachment.contentType ?? "application/octet-stream")
        item["path"] = .string(attachment.path ?? "")
        var extra = JSONObject()
        if let body = attachment.inlineBase64 { extra["body"] = .string(body) }
        extra["kind"] = .string(attachment.kind.rawValue)
        item["extra"] = .object(extra)
        return .object(item)
    }
}
