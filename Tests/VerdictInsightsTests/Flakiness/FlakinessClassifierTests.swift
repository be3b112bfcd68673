import VerdictInsights
import XCTest

final class FlakinessClassifierTests: XCTestCase {
    let classifier = FlakinessClassifier()

    func classification(_ text: String, previous: FlakinessClassification? = nil) -> FlakinessClassification {
        classifier.classify(history(text), previous: previous).classification
    }

    /// The requirement: flagged as soon as the second result is ingested.
    func testAPassAndAFailureOnOneCommitAreFlakyFromTheSecondResult() {
        XCTAssertEqual(classification("P7"), .insufficient)
        XCTAssertEqual(classification("P7 F7"), .flaky)
        XCTAssertEqual(classification("E7 P7"), .flaky)
        // The same two results on different commits could be a regression: not yet.
        XCTAssertEqual(classification("P7 F8"), .insufficient)
        XCTAssertEqual(classification("P F"), .insufficient)
        // Ingested one by one, as the store does: the flag appears at the second.
        let stream = history("P3 F3 P4")
        XCTAssertEqual(classifier.classify(stream[0..<1]).classification, .insufficient)
        XCTAssertEqual(classifier.classify(stream[0..<2]).classification, .flaky)
        XCTAssertGreaterThan(classifier.classify(stream[0..<2]).score, 0.99)
    }

    func testAPassAfterRetryIsFlakyFromTheFirstResult() {
        XCTAssertEqual(classification("R1"), .flaky)
        XCTAssertEqual(classification(runs("P", 60, firstCommit: 1) + " R61 " + runs("P", 60, firstCommit: 62)), .flaky)
    }

    func testStableAndBroken() {
        let stable = classifier.classify(history(runs("P", 200, firstCommit: 1)))
        XCTAssertEqual(stable.classification, .stable)
        XCTAssertLessThan(stable.score, 0.05)
        XCTAssertEqual(classification(runs("F", 30, firstCommit: 1)), .broken)
        XCTAssertEqual(classification("F1 E2 F3 F4 E5"), .broken)
    }

    /// Failing nearly always is broken even though its rare passes make it alternate.
    func testMostlyFailingIsBrokenNotFlaky() {
        let text = runs("F", 15, firstCommit: 1) + " P16 " + runs("F", 20, firstCommit: 17) + " P37 " + runs("F", 10, firstCommit: 38)
        let verdict = classifier.classify(history(text))
        XCTAssertGreaterThan(verdict.score, 0.8, "it does alternate")
        XCTAssertEqual(verdict.classification, .broken)
    }

    /// One pass→fail change that persists is a regression, not flakiness.
    func testARegressionIsBroken() {
        for passing in [5, 30, 150] {
            for failing in [1, 2, 5, 40] {
                let text = runs("P", passing, firstCommit: 1) + " " + runs("F", failing, firstCommit: passing + 1)
                let verdict = classifier.classify(history(text))
                XCTAssertEqual(verdict.classification, .broken, "\(passing) passes then \(failing) failures")
                XCTAssertLessThan(verdict.score, classifier.parameters.activationThreshold)
            }
        }
    }

    /// One fail→pass change is a fix; a failing block that ends is a regression that got fixed.
    func testAFixAndARegressionThatGotFixedAreStable() {
        for failing in [2, 5, 40] {
            XCTAssertEqual(
                classification(runs("F", failing, firstCommit: 1) + " " + runs("P", 30, firstCommit: failing + 1)), .stable,
                "fixed after \(failing)")
        }
        for block in [3, 6, 15] {
            let text =
                runs("P", 40, firstCommit: 1) + " " + runs("F", block, firstCommit: 41) + " " + runs("P", 40, firstCommit: 41 + block)
            XCTAssertEqual(classification(text), .stable, "regressed for \(block) runs, then fixed")
        }
    }

    /// The documented rule for isolated failures without same-commit evidence: with enough
    /// results, failures that each pass again at once are flaky; a few results are not enough.
    func testIsolatedFailuresAmongPassesAreFlakyGivenEnoughResults() {
        XCTAssertEqual(classification(runs("P", 25, firstCommit: 1) + " F26 " + runs("P", 24, firstCommit: 27)), .flaky)
        XCTAssertEqual(
            classification(runs("P", 30, firstCommit: 1) + " F31 " + runs("P", 30, firstCommit: 32) + " F62 P63 P64"), .flaky)
        XCTAssertEqual(classification("P1 F2 P3"), .insufficient)
    }

    func testAFlakyTestThatBreaksOutrightIsBroken() {
        let flaky = "P1 F2 P3 P4 F5 P6 F7 P8 P9 P10 F11 P12"
        XCTAssertEqual(classification(flaky), .flaky)
        XCTAssertEqual(classification(flaky + " " + runs("F", 8, firstCommit: 13)), .broken)
        XCTAssertEqual(classification(flaky + " " + runs("F", 3, firstCommit: 13)), .flaky)
    }

    /// Between the recovery and activation thresholds the previous classification decides.
    func testHysteresisKeepsAFlakyTestFlakyUntilTheRecoveryThreshold() {
        // Two failures in a row amid passes: a regression fixed at once, or a flake — the score
        // sits between the thresholds.
        let between = runs("P", 10, firstCommit: 1) + " F11 F12 " + runs("P", 10, firstCommit: 13)
        let verdict = classifier.classify(history(between))
        XCTAssertGreaterThanOrEqual(verdict.score, classifier.parameters.recoveryThreshold)
        XCTAssertLessThan(verdict.score, classifier.parameters.activationThreshold)
        XCTAssertEqual(classification(between), .stable, "not activated")
        XCTAssertEqual(classification(between, previous: .stable), .stable)
        XCTAssertEqual(classification(between, previous: .broken), .stable)
        XCTAssertEqual(classification(between, previous: .flaky), .flaky, "not yet recovered")

        // Below the recovery threshold it is released.
        let below = "F1 " + runs("P", 60, firstCommit: 2)
        XCTAssertLessThan(classifier.classify(history(below)).score, classifier.parameters.recoveryThreshold)
        XCTAssertEqual(classification(below, previous: .flaky), .stable)
    }

    func testTooFewResultsNeverReleaseAFlakyTest() {
        XCTAssertEqual(classification("P1 P2", previous: .flaky), .flaky)
        XCTAssertEqual(classifier.classify([], previous: .flaky).classification, .flaky)
        XCTAssertEqual(classification("P1 P2", previous: .stable), .insufficient)
        XCTAssertEqual(classification("P1 P2"), .insufficient)
    }

    func testThresholdsAreParameters() {
        var parameters = FlakinessParameters()
        parameters.activationThreshold = 0.6
        parameters.recoveryThreshold = 0.55
        let lenient = FlakinessClassifier(parameters: parameters)
        let between = history(runs("P", 10, firstCommit: 1) + " F11 F12 " + runs("P", 10, firstCommit: 13))
        XCTAssertEqual(lenient.classify(between).classification, .flaky)
        parameters.minimumSamples = 30
        XCTAssertEqual(FlakinessClassifier(parameters: parameters).classify(between).classification, .insufficient)
    }

    func testSlicesOfOneArrayClassifyLikeTheirOwnArrays() {
        let a = history("P1 F1 P2 P3")
        let b = history(runs("P", 12, firstCommit: 1) + " F13")
        let all = a + b
        XCTAssertEqual(classifier.classify(all[0..<a.count]), classifier.classify(a))
        XCTAssertEqual(classifier.classify(all[a.count...]), classifier.classify(b))
        XCTAssertEqual(classifier.classify([]).classification, .insufficient)
    }
}
