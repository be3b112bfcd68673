import VerdictInsights
import VerdictReports

/// The corpus' real retries as labelled observations: every case a report shows retried inside
/// its run. Passed after a failed attempt is flaky by definition (the report's own fact, same
/// code, same run); failed on every attempt is reported apart, labelled by nothing but that fact.
public struct FlakyCorpusCase: Sendable {
    public var file: String
    public var identity: String
    public var attempts: Int
    /// Failed, then passed on a retry in the same run.
    public var passedOnRetry: Bool
    /// The case as one observation (commit unknown), its run's failure share from the report.
    public var observation: FlakinessObservation
}

extension Corpus {
    /// Cases with more than one attempt or a flaky status, in every report that parses.
    public func retriedCases() throws -> [FlakyCorpusCase] {
        var found: [FlakyCorpusCase] = []
        for file in reportFiles() {
            let report = try ReportParser.parse(try bytes(file), format: Corpus.format(of: file))
            let totals = report.totals
            let ran = totals.tests - totals.skipped
            let fraction = ran == 0 ? 0 : Double(totals.failed + totals.errors) / Double(ran)
            for testCase in report.cases where testCase.attempts.count > 1 || testCase.status == .flaky {
                let outcome: TestOutcome =
                    switch testCase.status {
                    case .passed: .passed
                    case .flaky: .flaky
                    case .failed: .failed
                    case .skipped: .skipped
                    case .errored: .errored
                    }
                found.append(
                    FlakyCorpusCase(
                        file: file, identity: testCase.identity, attempts: testCase.attempts.count,
                        passedOnRetry: testCase.status == .flaky,
                        observation: FlakinessObservation(
                            outcome: outcome, runFailureFraction: fraction, runTestCount: Int32(ran),
                            attempts: Int32(testCase.attempts.count), at: report.startedAtMs ?? 0)))
            }
        }
        return found
    }
}
