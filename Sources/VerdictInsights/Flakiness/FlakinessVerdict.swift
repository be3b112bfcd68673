/// What the classifier concludes about one test.
public enum FlakinessClassification: String, Sendable, CaseIterable {
    /// Passes and fails without a code change to explain it: a candidate for quarantine.
    case flaky
    /// Fails (nearly) always now: a real failure to fix, never quarantined automatically.
    case broken
    /// Passes now, and its history has no sign of flakiness (it may have been fixed).
    case stable
    /// Too few usable results to say (and no retry pass or same-commit contradiction).
    case insufficient
}

/// The classification with the numbers behind it, as the flaky list shows them.
public struct FlakinessVerdict: Sendable, Equatable {
    public var classification: FlakinessClassification
    /// Posterior probability (0…1) that the test is flaky rather than deterministic with
    /// occasional code changes; see "Flaky tests and quarantine" in the README.
    public var score: Double
    /// Posterior mean of the failure rate (first attempts), Beta posterior.
    public var failureRate: Double
    /// Credible interval of the failure rate (90 % by default).
    public var failureRateInterval: CredibleInterval
    public var evidence: FlakinessEvidence

    public init(
        classification: FlakinessClassification, score: Double, failureRate: Double, failureRateInterval: CredibleInterval,
        evidence: FlakinessEvidence
    ) {
        self.classification = classification
        self.score = score
        self.failureRate = failureRate
        self.failureRateInterval = failureRateInterval
        self.evidence = evidence
    }
}

/// The counts a verdict rests on, over the results that contribute (not skipped, not in a
/// burst run), so a reader can check the call.
public struct FlakinessEvidence: Sendable, Equatable {
    /// Results considered.
    public var runs = 0
    /// Of those, failed or errored in the end.
    public var failures = 0
    /// Pass↔fail changes between consecutive results (a retry pass counts as a pass).
    public var flips = 0
    /// Commits with both a passing and a failing result.
    public var sameCommitContradictions = 0
    /// Results that passed only after a retry inside the run.
    public var retryPasses = 0
    /// Failures in a row at the end of the history.
    public var trailingFailures = 0
    /// Results in a row at the end that passed at the first attempt: what an automatic release
    /// from quarantine counts (a retry pass is a flake, so it resets the count).
    public var trailingCleanRuns = 0
    /// Results left out because their run was an infrastructure burst.
    public var excludedBurstRuns = 0
    /// Skipped results (ignored).
    public var skipped = 0
    /// `at` of the latest result considered; nil when none was.
    public var lastSeen: Int64?

    public init() {}

    /// Results that passed in the end (with or without a retry).
    public var passes: Int { runs - failures }

    /// Flips per pair of consecutive results, 0…1 (0 with fewer than two results): the flip
    /// rate that flip-count detectors threshold; here it is reported, the score decides.
    public var flipRate: Double { runs < 2 ? 0 : Double(flips) / Double(runs - 1) }
}
