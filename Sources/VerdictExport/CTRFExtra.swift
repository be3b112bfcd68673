import VerdictJSON
import VerdictReports

/// What a CTRF test has no field for, kept under `extra.verdict` so the export loses nothing a
/// reader could want, even though Verdict's CTRF parser does not read it back.
enum CTRFExtra {
    static func verdict(_ testCase: ParsedCase, _ attempts: [ParsedAttempt]) -> JSON? {
        var extra = JSONObject()
        if testCase.title.isEmpty { extra["title"] = .string(testCase.title) }
        // The schema requires a duration: 0 is written, null here says it was unknown.
        if testCase.durationMs == nil { extra["duration"] = .null }
        if testCase.status == .errored { extra["status"] = .string(testCase.status.rawValue) }
        if let classname = testCase.classname { extra["classname"] = .string(classname) }
        if let project = testCase.project { extra["project"] = .string(project) }
        if let reason = testCase.skipReason { extra["skipReason"] = .string(reason) }
        if testCase.fullTitle != testCase.title { extra["fullTitle"] = .string(testCase.fullTitle) }
        if !testCase.annotations.isEmpty {
            extra["annotations"] = .array(
                testCase.annotations.map { note in
                    var item = JSONObject()
                    item["type"] = .string(note.type)
                    if let description = note.description { item["description"] = .string(description) }
                    return .object(item)
                })
        }
        if attempts.enumerated().contains(where: { position, attempt in losesDetail(attempt, position: position) }) {
            extra["attempts"] = .array(attempts.map(detail))
        }
        return extra.isEmpty ? nil : .object(extra)
    }

    /// CTRF runs are passed/failed/skipped with one message and trace.
    private static func losesDetail(_ attempt: ParsedAttempt, position: Int) -> Bool {
        attempt.status == .errored || attempt.index != position || attempt.errors.count > 1
            || attempt.errors.contains { $0.type != nil || ($0.message == nil && $0.stack != nil) }
    }

    /// The first error's message and trace are in the CTRF run already: only its type is
    /// repeated (and a missing message, which the parser fills from the trace). Further errors
    /// have no CTRF field at all and are kept whole.
    private static func detail(_ attempt: ParsedAttempt) -> JSON {
        var item = JSONObject()
        item["index"] = .int(Int64(attempt.index))
        item["status"] = .string(attempt.status.rawValue)
        item["errors"] = .array(
            attempt.errors.enumerated().map { position, error in
                var object = JSONObject()
                if position == 0 {
                    if let type = error.type { object["type"] = .string(type) }
                    if error.message == nil { object["message"] = .null }
                    return .object(object)
                }
                if let message = error.message { object["message"] = .string(message) }
                if let type = error.type { object["type"] = .string(type) }
                if let stack = error.stack { object["stack"] = .string(stack) }
                return .object(object)
            })
        return .object(item)
    }
}
