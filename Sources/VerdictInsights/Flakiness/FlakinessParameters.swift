/// The classifier's knobs. The defaults are the ones the labelled benchmark was measured with
/// (README, "Flaky tests and quarantine"); each says what it trades.
public struct FlakinessParameters: Sendable, Equatable {
    /// A run where more than this share of the tests failed is an infrastructure burst (runner
    /// died, registry down) and is left out of every test's evidence.
    public var burstFailureFraction: Double = 0.8
    /// Runs with fewer tests than this are never bursts: in a tiny project one real breakage is
    /// most of the run.
    public var burstMinimumRunTests: Int32 = 10
    /// Results needed before a test is judged on its history alone. Strong evidence (a retry
    /// pass, a pass and a failure on one commit) is judged from the first result on.
    public var minimumSamples = 5
    /// A test becomes flaky when its score reaches this…
    public var activationThreshold = 0.8
    /// …and, once flaky (see `classify(_:previous:)`), stays flaky until its score falls below
    /// this, so a test near the line does not flap between runs.
    public var recoveryThreshold = 0.5
    /// Prior probability that a test is flaky rather than deterministic (before any evidence).
    public var priorFlaky = 0.5
    /// Prior chance of each further change of a deterministic test's state (a commit that breaks
    /// or fixes it): the number of changes k is geometric, P(k) = (1 − ρ) ρ^k. Lower values
    /// explain more alternation as flakiness, higher ones as code changes.
    public var changeRate = 0.2
    /// How likely a deterministic test is to pass and fail on the same code (same commit, or a
    /// retry inside a run): near zero, so each such contradiction is strong evidence.
    public var contradictionLikelihood = 1e-6
    /// Beta prior of the failure rate (uniform by default).
    public var priorAlpha = 1.0
    public var priorBeta = 1.0
    /// A test whose posterior mean failure rate reaches this fails "nearly always": broken, not
    /// flaky, however much it alternates.
    public var brokenFailureRate = 0.8
    /// A flaky-looking test whose latest results are this many failures in a row has broken
    /// outright (a flaky test at 40 % does this by chance 0.07 % of the time).
    public var brokenStreak = 8
    /// Probability mass of the credible interval reported for the failure rate.
    public var intervalLevel = 0.9

    public init() {}
}
