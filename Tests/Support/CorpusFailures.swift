import VerdictReports

/// One failed attempt of a test in the shared corpus: where it is (file, full title, attempt) and
/// what the report says went wrong. The clustering tests, the labelled set and `verdict-bench
/// clusters` all read the corpus' failures through this, so they agree on what a failure is.
public struct CorpusFailure: Sendable, Equatable {
    /// Path relative to the corpus root.
    public var file: String
    public var fullTitle: String
    /// Playwright runs a test once per project; the same title can then fail twice in one file.
    public var project: String?
    public var attempt: Int
    public var type: String?
    public var message: String?
    public var stack: String?

    /// Whether the report says anything about the failure; without a type, message or stack
    /// there is nothing to judge (or fingerprint) beyond "it failed".
    public var hasDetails: Bool {
        [type, message, stack].contains { ($0 ?? "").contains { !$0.isWhitespace } }
    }

    /// How the labelled set names this failure.
    public var key: String { "\(file) | \(fullTitle)\(project.map { " [\($0)]" } ?? "") | \(attempt)" }
}

extension Corpus {
    /// Every failed or errored attempt of every case in every report file, in file order; each
    /// attempt's first error stands for it (the one a report page shows first).
    public func failures() throws -> [CorpusFailure] {
        var found: [CorpusFailure] = []
        for file in reportFiles() {
            let report = try report(file)
            for testCase in report.cases {
                for attempt in testCase.attempts where attempt.status == .failed || attempt.status == .errored {
                    let error = attempt.error
                    found.append(
                        CorpusFailure(
                            file: file, fullTitle: testCase.fullTitle, project: testCase.project, attempt: attempt.index,
                            type: error?.type, message: error?.message, stack: error?.stack))
                }
            }
        }
        return found
    }
}
