/// Gathers what a `<testcase>`'s children say while they stream past, then settles the case.
///
/// The counting rule follows the corpus (and junitparser): a case's status comes from the
/// result elements it contains, error > failure > skipped > passed; the `status` attribute some
/// generators add is kept as `rawStatus` only. Surefire's rerun elements describe other runs:
/// `flakyFailure`/`flakyError` without a final failure make the case flaky, `rerunFailure`/
/// `rerunError` are further failed runs of a case that failed.
struct JUnitCaseOutcome {
    struct EarlierRun {
        var isError: Bool
        var isFlaky: Bool
        var error: ParsedError
        var durationMs: Double?
        var stdout: String?
        var stderr: String?
    }

    var stdout: String?
    var stderr: String?
    private var hasFailure = false
    private var hasError = false
    private var skipped = false
    private var skipReason: String?
    /// Failures and errors in document order, for the attempt's error list.
    private(set) var resultErrors: [ParsedError] = []
    /// Flaky and rerun elements in document order.
    private(set) var earlierRuns: [EarlierRun] = []

    mutating func addResult(_ element: JUnitElement, _ error: ParsedError) {
        switch element {
        case .failure: hasFailure = true; resultErrors.append(error)
        case .error: hasError = true; resultErrors.append(error)
        case .skipped:
            skipped = true
            if skipReason == nil { skipReason = Text.nonBlank(error.message) ?? Text.nonBlank(error.stack) }
        default: break
        }
    }

    mutating func addEarlierRun(_ run: EarlierRun) { earlierRuns.append(run) }

    /// Completes `testCase`, whose attributes were read when the element opened. It is filled
    /// in place rather than rebuilt: this runs for every case of reports with 100,000s of them.
    func settle(_ testCase: inout ParsedCase) {
        let status: TestStatus =
            if hasError { .errored } else if hasFailure { .failed } else if skipped {
                .skipped
            } else if earlierRuns.contains(where: \.isFlaky) { .flaky } else { .passed }
        testCase.status = status
        if testCase.rawStatus.isEmpty { testCase.rawStatus = status.junitWord }
        if status == .skipped { testCase.skipReason = skipReason }
        testCase.attempts = attempts(finalStatus: status, durationMs: testCase.durationMs)
        if stdout != nil || stderr != nil { testCase.attachments = AttachmentMarkers.extract(from: stdout, stderr) }
        // The classname joins the path unless it repeats the suite or the title (jest-junit
        // writes the full title there); without it same-named tests of two classes would merge.
        // The full title, `classname.title`, is ParsedCase's derived default.
        if let classname = testCase.classname, !classname.isEmpty, classname != testCase.title,
            classname != testCase.suitePath.last
        {
            testCase.suitePath.append(classname)
        }
        if VerdictCaseProperties.present(in: testCase.properties) { VerdictCaseProperties.apply(to: &testCase, from: self) }
    }

    /// Flaky runs happened before the final (passing) one. Rerun elements follow the first,
    /// failed run, which the case-level `<failure>`/`<error>` and output describe.
    private func attempts(finalStatus: TestStatus, durationMs: Double?) -> [ParsedAttempt] {
        let main = ParsedAttempt(
            index: 0, status: finalStatus == .flaky ? .passed : finalStatus, durationMs: durationMs,
            errors: resultErrors, stdout: stdout, stderr: stderr)
        guard !earlierRuns.isEmpty else { return [main] }
        var attempts = earlierRuns.filter(\.isFlaky).map(attempt(from:))
        attempts.append(main)
        attempts += earlierRuns.filter { !$0.isFlaky }.map(attempt(from:))
        for i in attempts.indices { attempts[i].index = i }
        return attempts
    }

    private func attempt(from run: EarlierRun) -> ParsedAttempt {
        ParsedAttempt(
            index: 0, status: run.isError ? .errored : .failed, durationMs: run.durationMs, errors: [run.error],
            stdout: run.stdout, stderr: run.stderr)
    }
}

extension TestStatus {
    /// The raw status a `<testcase>` without a `status` attribute is given: the word for what
    /// its elements say. An exporter can leave out a `status` that would only repeat it.
    public var junitWord: String {
        switch self {
        case .errored: "error"
        case .failed: "failure"
        case .skipped: "skipped"
        case .flaky: "flaky"
        case .passed: "passed"
        }
    }
}
