import VerdictReports

/// How one case maps onto JUnit elements, following Maven Surefire: a case that failed keeps
/// its first run in `<failure>`/`<error>` and its further runs in `<rerunFailure>`/`<rerunError>`;
/// a case that ended passed (or skipped) is its last run, earlier runs are `<flakyFailure>`/
/// `<flakyError>`. The same rules are what the JUnit parser reads back, so when a case fits them
/// (`isPlain`) no `verdict.attempts` property is needed.
struct JUnitCasePlan {
    enum MainResult { case failure, error, skipped, none }

    let attempts: [ParsedAttempt]
    let status: TestStatus
    /// The attempt the `<testcase>` itself describes: its `<failure>`s, its output.
    let mainIndex: Int
    let mainResult: MainResult
    /// Whether earlier/later runs are `rerun*` (the case failed) or `flaky*` elements.
    let runsAreReruns: Bool

    init(_ testCase: borrowing ParsedCase) {
        attempts =
            testCase.attempts.isEmpty
            ? [ParsedAttempt(index: 0, status: testCase.status == .flaky ? .passed : testCase.status, durationMs: testCase.durationMs)]
            : testCase.attempts
        status = testCase.status
        switch testCase.status {
        case .failed, .errored:
            mainIndex = 0
            mainResult = testCase.status == .failed ? .failure : .error
            runsAreReruns = true
        case .skipped:
            mainIndex = attempts.count - 1
            mainResult = .skipped
            runsAreReruns = false
        case .passed, .flaky:
            mainIndex = attempts.count - 1
            mainResult = .none
            runsAreReruns = false
        }
    }

    /// Flaky/rerun elements written for attempt `index`: one per error, and one without an
    /// error when a failed run, or a run's output, would otherwise leave no trace.
    func runCount(_ index: Int) -> Int {
        let attempt = attempts[index]
        if index == mainIndex { return mainResult == .failure || mainResult == .error ? 0 : attempt.errors.count }
        let needsCarrier = attempt.status == .failed || attempt.status == .errored || attempt.stdout != nil || attempt.stderr != nil
        return max(attempt.errors.count, needsCarrier ? 1 : 0)
    }

    /// The status the parser derives from the elements alone.
    var derivedStatus: TestStatus {
        switch mainResult {
        case .failure: return .failed
        case .error: return .errored
        case .skipped: return .skipped
        case .none: return attempts.indices.contains { runCount($0) > 0 } ? .flaky : .passed
        }
    }

    /// Whether reading the elements back rebuilds the attempts exactly (durations to the ms).
    func isPlain(caseDurationMs: Double?) -> Bool {
        let main = attempts[mainIndex]
        guard main.durationMs == caseDurationMs, main.status == (status == .flaky ? .passed : status) else { return false }
        switch mainResult {
        case .failure, .error: guard !main.errors.isEmpty else { return false }
        case .skipped, .none: guard main.errors.isEmpty else { return false }
        }
        if derivedStatus != status { return false }
        for (position, attempt) in attempts.enumerated() {
            guard attempt.index == position, attempt.startedAtMs == nil else { return false }
            if position != mainIndex {
                guard attempt.status == .failed || attempt.status == .errored, attempt.errors.count == 1 else { return false }
            }
        }
        return true
    }
}
