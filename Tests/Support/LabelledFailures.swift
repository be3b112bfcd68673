import Foundation
import VerdictJSON

/// The clustering's labelled set: real corpus failures labelled by hand
/// (Tests/Fixtures/clusters/labelled.json) and synthetic variants of them
/// (synthetic.json, written by make_synthetic.py). Read by the accuracy test and by
/// `verdict-bench clusters`, so both report the same figures.
public struct LabelledFailure: Sendable {
    public var type: String?
    public var message: String?
    public var stack: String?
    public var label: String
    public var isSynthetic: Bool
    /// Where it came from: the corpus key, or the synthetic variation.
    public var origin: String
}

public enum LabelledFailures {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static var directory: URL {
        URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("../Fixtures/clusters").standardizedFileURL
    }

    /// Real then synthetic failures. Throws when a labelled entry names no failure of the corpus
    /// (or two), so a corpus change cannot silently shrink the set.
    public static func load(corpus: Corpus) throws -> [LabelledFailure] {
        let failures = try corpus.failures()
        var byKey: [String: CorpusFailure] = [:]
        var seen: [String: Int] = [:]
        for failure in failures {
            let base = "\(failure.file)\u{1}\(failure.fullTitle)\u{1}\(failure.project ?? "")\u{1}\(failure.attempt)"
            let occurrence = seen[base, default: -1] + 1
            seen[base] = occurrence
            byKey["\(base)\u{1}\(occurrence)"] = failure
        }
        var result: [LabelledFailure] = []
        var used: Set<String> = []
        for entry in try entries("labelled.json") {
            guard let file = entry["file"]?.stringValue, let title = entry["title"]?.stringValue,
                let attempt = entry["attempt"]?.intValue, let label = entry["label"]?.stringValue
            else { throw Invalid(description: "labelled.json: entry without file, title, attempt or label") }
            let project = entry["project"]?.stringValue ?? ""
            let occurrence = entry["occurrence"]?.intValue ?? 0
            let key = "\(file)\u{1}\(title)\u{1}\(project)\u{1}\(attempt)\u{1}\(occurrence)"
            guard let failure = byKey[key] else {
                throw Invalid(description: "labelled.json: no corpus failure \(file) | \(title) | \(attempt)")
            }
            guard used.insert(key).inserted else { throw Invalid(description: "labelled.json: \(file) | \(title) listed twice") }
            result.append(
                LabelledFailure(
                    type: failure.type, message: failure.message, stack: failure.stack, label: label, isSynthetic: false,
                    origin: failure.key))
        }
        for entry in try entries("synthetic.json") {
            guard let label = entry["label"]?.stringValue else { throw Invalid(description: "synthetic.json: entry without label") }
            result.append(
                LabelledFailure(
                    type: entry["type"]?.stringValue, message: entry["message"]?.stringValue, stack: entry["stack"]?.stringValue,
                    label: label,
                    isSynthetic: true, origin: entry["variation"]?.stringValue ?? ""))
        }
        return result
    }

    private static func entries(_ name: String) throws -> [JSON] {
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
        guard let entries = try JSON.parse(bytes)["failures"]?.arrayValue else { throw Invalid(description: "\(name): no failures array") }
        return entries
    }
}
