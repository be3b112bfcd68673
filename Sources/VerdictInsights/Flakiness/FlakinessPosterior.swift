#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The score: the posterior probability that a test is flaky, from comparing two explanations
/// of its pass/fail sequence.
///
/// - Flaky: every result is an independent draw that fails with an unknown rate θ ~ Beta(α, β).
///   Marginal likelihood B(α + f, β + p) / B(α, β), where a retry pass adds its failed first
///   attempt to f and its pass to p.
/// - Deterministic: the test passes or fails according to the code, and k commits changed that
///   (k = the flips). P(k) = (1 − ρ) ρ^k, the k change points placed uniformly among the n − 1
///   gaps, the first state either way: ½ (1 − ρ) ρ^k / C(n − 1, k). Passing and failing on the
///   same code (a same-commit contradiction, a retry pass) has likelihood ε each.
///
/// One isolated failure among many passes needs two changes in a row to be deterministic and is
/// cheap for the flaky model; a block of failures that persists (a regression, then maybe a fix)
/// is two changes for the deterministic model but many coincidences for the flaky one. So
/// alternation, not the failure count, drives the score.
enum FlakinessPosterior {
    static func score(_ evidence: FlakinessEvidence, _ parameters: FlakinessParameters) -> Double {
        let n = Double(evidence.runs)
        guard evidence.runs > 0 else { return 0 }
        let (failures, passes) = attemptCounts(evidence)
        let logFlaky =
            BetaDistribution.logBeta(parameters.priorAlpha + failures, parameters.priorBeta + passes)
            - BetaDistribution.logBeta(parameters.priorAlpha, parameters.priorBeta)
        let k = Double(evidence.flips)
        let rho = parameters.changeRate
        let logChoose = lgamma(n) - lgamma(k + 1) - lgamma(n - k)
        let logDeterministic =
            log(0.5) + log1p(-rho) + k * log(rho) - logChoose
            + Double(evidence.sameCommitContradictions + evidence.retryPasses) * log(parameters.contradictionLikelihood)
        let logOdds = log(parameters.priorFlaky) - log1p(-parameters.priorFlaky) + logFlaky - logDeterministic
        return 1 / (1 + exp(-logOdds))
    }

    /// The failure-rate posterior: Beta(α + f, β + p) over first attempts.
    static func failureRate(_ evidence: FlakinessEvidence, _ parameters: FlakinessParameters) -> BetaDistribution {
        let (failures, passes) = attemptCounts(evidence)
        return BetaDistribution(alpha: parameters.priorAlpha + failures, beta: parameters.priorBeta + passes)
    }

    /// First attempts that failed (final failures and retry passes) and results that passed.
    private static func attemptCounts(_ evidence: FlakinessEvidence) -> (failures: Double, passes: Double) {
        (Double(evidence.failures + evidence.retryPasses), Double(evidence.passes))
    }
}
