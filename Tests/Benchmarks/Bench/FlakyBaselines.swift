import VerdictInsights
import VerdictTestSupport

/// Simpler rules of the kind peers document, scored on the same benchmark so the classifier's
/// figures have something to be compared with. They read the same evidence counts (bursts and
/// skips already left out); only the decision differs. They are sketches of the published
/// ideas, not the peers' code.
enum FlakyBaseline: String, CaseIterable {
    /// Flaky only on proof inside one commit: a retry pass or a pass and a failure on the same
    /// commit (the rerun-based detection of Trunk, BuildPulse, Datadog, Buildkite).
    case sameCommitOnly = "same_commit_or_retry"
    /// Flaky when the status changed at least twice in the window, with at least 5 results
    /// (flip-count detection in the spirit of ScaledTest's).
    case flipCount = "flips_at_least_2"
    /// Flaky when it both passed and failed in the window, with at least 5 results.
    case anyMix = "passed_and_failed"

    func isFlaky(_ evidence: FlakinessEvidence) -> Bool {
        switch self {
        case .sameCommitOnly: evidence.retryPasses > 0 || evidence.sameCommitContradictions > 0
        case .flipCount: evidence.runs >= 5 && evidence.flips >= 2
        case .anyMix: evidence.runs >= 5 && evidence.failures > 0 && evidence.passes > 0
        }
    }

    /// One JSON line per rule: precision and recall of its flaky calls on the synthetic tests.
    static func report(_ tests: [FlakyBenchmark.Test], classifier: FlakinessClassifier, seed: UInt64) {
        let evidence = tests.map { classifier.classify($0.history).evidence }
        for rule in allCases {
            var truePositives = 0
            var called = 0
            var flaky = 0
            var detectable = 0
            var detectableFound = 0
            for (test, evidence) in zip(tests, evidence) {
                let flagged = rule.isFlaky(evidence)
                if flagged { called += 1 }
                if test.truth == .flaky {
                    flaky += 1
                    if flagged { truePositives += 1 }
                    if test.detectable {
                        detectable += 1
                        if flagged { detectableFound += 1 }
                    }
                }
            }
            let precision = called == 0 ? 1 : Double(truePositives) / Double(called)
            let recall = flaky == 0 ? 1 : Double(truePositives) / Double(flaky)
            let recallDetectable = detectable == 0 ? 1 : Double(detectableFound) / Double(detectable)
            Console.print(
                "{\"bench\":\"flaky_baseline\",\"rule\":\"\(rule.rawValue)\",\"seed\":\(seed),\"precision\":\(rounded(precision)),"
                    + "\"recall\":\(rounded(recall)),\"recall_detectable\":\(rounded(recallDetectable))}")
        }
    }

    private static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
