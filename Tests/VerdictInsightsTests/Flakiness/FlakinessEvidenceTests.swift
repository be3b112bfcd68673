import Foundation
import VerdictInsights
import XCTest

final class FlakinessEvidenceTests: XCTestCase {
    let classifier = FlakinessClassifier()

    func testFlipsCountAlternationAndTheTrailingStreak() {
        let evidence = classifier.classify(history("P F P P F E P F F")).evidence
        XCTAssertEqual(evidence.runs, 9)
        XCTAssertEqual(evidence.failures, 5)
        XCTAssertEqual(evidence.passes, 4)
        XCTAssertEqual(evidence.flips, 5)
        XCTAssertEqual(evidence.trailingFailures, 2)
        XCTAssertEqual(evidence.trailingCleanRuns, 0)
        XCTAssertEqual(evidence.flipRate, 5.0 / 8.0)
        XCTAssertEqual(evidence.lastSeen, 8000)
    }

    func testCleanRunsCountFirstAttemptPassesSinceTheLastFailureOrRetryPass() {
        XCTAssertEqual(classifier.classify(history("P F P P S P")).evidence.trailingCleanRuns, 3)
        XCTAssertEqual(classifier.classify(history("P F P R P P")).evidence.trailingCleanRuns, 2)
        XCTAssertEqual(classifier.classify(history("P P P F! P")).evidence.trailingCleanRuns, 4, "a burst failure is no failure")
        XCTAssertEqual(classifier.classify(history("P")).evidence.flipRate, 0)
    }

    func testSkippedResultsAreIgnored() {
        let withSkips = classifier.classify(history("S P S F S P P P S"))
        let without = classifier.classify(history("P F P P P"))
        XCTAssertEqual(withSkips.evidence.skipped, 4)
        XCTAssertEqual(withSkips.evidence.runs, 5)
        XCTAssertEqual(withSkips.evidence.flips, 2)
        XCTAssertEqual(withSkips.score, without.score)
        XCTAssertEqual(withSkips.classification, without.classification)
        // The last contributing result, not the trailing skip.
        XCTAssertEqual(withSkips.evidence.lastSeen, 7000)
        XCTAssertEqual(classifier.classify(history("S S S")).classification, .insufficient)
    }

    func testBurstRunsAreExcluded() {
        let text = runs("P", 20, firstCommit: 1) + " F21! " + runs("P", 20, firstCommit: 22) + " E42! P43"
        let verdict = classifier.classify(history(text))
        XCTAssertEqual(verdict.evidence.excludedBurstRuns, 2)
        XCTAssertEqual(verdict.evidence.failures, 0)
        XCTAssertEqual(verdict.evidence.flips, 0)
        XCTAssertEqual(verdict.classification, .stable)
        // The same failures outside a burst are evidence: two isolated failures among passes.
        XCTAssertEqual(classifier.classify(history(text.replacingOccurrences(of: "!", with: ""))).classification, .flaky)
    }

    func testBurstNeedsMoreThanTheFractionAndABigEnoughRun() {
        var observations = history(runs("P", 10, firstCommit: 1) + " F11 " + runs("P", 10, firstCommit: 12))
        observations[10].runFailureFraction = 0.8  // at the threshold: not a burst
        XCTAssertEqual(classifier.classify(observations).evidence.excludedBurstRuns, 0)
        observations[10].runFailureFraction = 0.81
        XCTAssertEqual(classifier.classify(observations).evidence.excludedBurstRuns, 1)
        observations[10].runTestCount = 4  // a four-test project where three failed: real evidence
        XCTAssertEqual(classifier.classify(observations).evidence.excludedBurstRuns, 0)
        observations[10].runTestCount = 0  // size unknown: the fraction decides
        XCTAssertEqual(classifier.classify(observations).evidence.excludedBurstRuns, 1)
    }

    func testSameCommitContradictionsCountCommitsWithBothAPassAndAFailure() {
        let evidence = classifier.classify(history("P1 F1 P1 P2 F3 R3 F4 F4 P5 E6 P6 F7 P")).evidence
        XCTAssertEqual(evidence.sameCommitContradictions, 3)  // commits 1, 3 and 6
        XCTAssertEqual(evidence.retryPasses, 1)
        // Unknown commits never contradict; a burst result is no evidence either.
        XCTAssertEqual(classifier.classify(history("P F P F P")).evidence.sameCommitContradictions, 0)
        XCTAssertEqual(classifier.classify(history("P1 F1! P2 P3 P4")).evidence.sameCommitContradictions, 0)
    }

    func testARetryPassIsAPassForFlipsAndAFailedFirstAttemptForTheRate() {
        let verdict = classifier.classify(history("P1 R2 P3 P4 P5"))
        XCTAssertEqual(verdict.evidence.retryPasses, 1)
        XCTAssertEqual(verdict.evidence.flips, 0)
        XCTAssertEqual(verdict.evidence.failures, 0)
        // Beta(1 + 1, 1 + 5): one failed first attempt, five passes.
        XCTAssertEqual(verdict.failureRate, 2.0 / 8.0, accuracy: 1e-12)
    }

    func testTheIntervalIsTheBetaPosteriorsAndHoldsItsMean() {
        let verdict = classifier.classify(history(runs("P", 37, firstCommit: 1) + " F38 P39 F40 P41"))
        let posterior = BetaDistribution(alpha: 3, beta: 40)
        XCTAssertEqual(verdict.failureRate, posterior.mean, accuracy: 1e-12)
        XCTAssertEqual(verdict.failureRateInterval.level, 0.9)
        XCTAssertEqual(verdict.failureRateInterval.lower, posterior.quantile(0.05), accuracy: 1e-12)
        XCTAssertEqual(verdict.failureRateInterval.upper, posterior.quantile(0.95), accuracy: 1e-12)
        XCTAssertLessThan(verdict.failureRateInterval.lower, verdict.failureRate)
        XCTAssertGreaterThan(verdict.failureRateInterval.upper, verdict.failureRate)
    }
}
