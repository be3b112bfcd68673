/// Tells flaky tests from broken, stable and not-yet-known ones, from each test's recent
/// history. Pure and allocation-light, so a project's whole window (thousands of tests times
/// hundreds of runs) is classified in one call on each refresh; the method and its measured
/// accuracy are in the README ("Flaky tests and quarantine").
public struct FlakinessClassifier: Sendable {
    public var parameters: FlakinessParameters

    public init(parameters: FlakinessParameters = FlakinessParameters()) {
        self.parameters = parameters
    }

    /// Classifies one test. `history` is oldest first. `previous` is the classification stored
    /// from the last refresh: a test that was flaky stays flaky until its score drops below the
    /// recovery threshold (hysteresis), so it does not flap in and out of quarantine.
    public func classify(_ history: [FlakinessObservation], previous: FlakinessClassification? = nil) -> FlakinessVerdict {
        history.withUnsafeBufferPointer { classify($0, previous: previous) }
    }

    /// The same for a slice of a larger array (all of a project's rows, grouped by test).
    public func classify(_ history: ArraySlice<FlakinessObservation>, previous: FlakinessClassification? = nil)
        -> FlakinessVerdict
    {
        history.withUnsafeBufferPointer { classify($0, previous: previous) }
    }

    /// The same over memory the caller already holds (rows decoded straight into a buffer), so
    /// no array needs to be built just to classify.
    public func classify(_ history: UnsafeBufferPointer<FlakinessObservation>, previous: FlakinessClassification? = nil)
        -> FlakinessVerdict
    {
        let evidence = EvidenceTally.count(history, parameters)
        let score = FlakinessPosterior.score(evidence, parameters)
        let rate = FlakinessPosterior.failureRate(evidence, parameters)
        return FlakinessVerdict(
            classification: decide(evidence, score: score, failureRate: rate.mean, previous: previous), score: score,
            failureRate: rate.mean, failureRateInterval: rate.credibleInterval(level: parameters.intervalLevel),
            evidence: evidence)
    }

    /// The rule, in order:
    /// 1. Too few results and no strong evidence (retry pass, same-commit contradiction):
    ///    insufficient — except that a test stored as flaky stays flaky, since nothing shows it
    ///    recovered (release from quarantine counts clean runs, `trailingCleanRuns`).
    /// 2. Score at or above the threshold (activation, or recovery if it was flaky): flaky —
    ///    unless it fails nearly always (posterior mean failure rate ≥ `brokenFailureRate`) or
    ///    its last `brokenStreak` results all failed: broken.
    /// 3. Otherwise the history is explained by code changes; the latest result says where it
    ///    stands: failing is broken (a regression), passing is stable (maybe fixed).
    func decide(_ evidence: FlakinessEvidence, score: Double, failureRate: Double, previous: FlakinessClassification?)
        -> FlakinessClassification
    {
        let strong = evidence.retryPasses > 0 || evidence.sameCommitContradictions > 0
        if evidence.runs == 0 || (evidence.runs < parameters.minimumSamples && !strong) {
            return previous == .flaky ? .flaky : .insufficient
        }
        let threshold = previous == .flaky ? parameters.recoveryThreshold : parameters.activationThreshold
        if score >= threshold {
            if failureRate >= parameters.brokenFailureRate || evidence.trailingFailures >= parameters.brokenStreak {
                return .broken
            }
            return .flaky
        }
        return evidence.trailingFailures > 0 ? .broken : .stable
    }
}
