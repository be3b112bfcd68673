import VerdictInsights
import VerdictTestSupport
import XCTest

/// The accuracy bar, measured on failures labelled by hand (not by this code): pairwise
/// precision ≥ 0.90 and recall ≥ 0.80.
final class LabelledSetAccuracyTests: XCTestCase {
    private static let labelled = Result { try LabelledFailures.load(corpus: Corpus.load()) }

    private func score(_ failures: [LabelledFailure]) -> PairwiseAgreement {
        let ids = failures.map { FailureFingerprint(errorType: $0.type, message: $0.message, stack: $0.stack).id }
        return PairwiseAgreement(predicted: ids, labels: failures.map(\.label))
    }

    func testTheLabelledSetIsLargeEnoughToMeanSomething() throws {
        let failures = try Self.labelled.get()
        let real = failures.filter { !$0.isSynthetic }
        XCTAssertGreaterThanOrEqual(real.count, 200, "every corpus failure with details is labelled")
        XCTAssertGreaterThanOrEqual(failures.count - real.count, 40)
        XCTAssertGreaterThanOrEqual(Set(failures.map(\.label)).count, 100)
        XCTAssertGreaterThanOrEqual(score(failures).labelledTogether, 400)
    }

    func testPairwisePrecisionAndRecallOnRealAndSyntheticFailures() throws {
        let failures = try Self.labelled.get()
        let all = score(failures)
        XCTAssertGreaterThanOrEqual(all.precision, 0.90, "\(all)")
        XCTAssertGreaterThanOrEqual(all.recall, 0.80, "\(all)")
        // The real failures alone meet the bar too: the synthetic ones cannot carry it.
        let real = score(failures.filter { !$0.isSynthetic })
        XCTAssertGreaterThanOrEqual(real.precision, 0.90, "\(real)")
        XCTAssertGreaterThanOrEqual(real.recall, 0.80, "\(real)")
    }

    /// Each synthetic variant gets the id of another member of its family (the real failure it
    /// was made from, or the family's first variant); each look-alike gets an id of its own.
    func testSyntheticVariantsJoinTheirFamilyAndLookalikesStayApart() throws {
        let failures = try Self.labelled.get()
        let ids = failures.map { FailureFingerprint(errorType: $0.type, message: $0.message, stack: $0.stack).id }
        var membersByID: [FingerprintID: [Int]] = [:]
        for (index, id) in ids.enumerated() { membersByID[id, default: []].append(index) }
        for (index, failure) in failures.enumerated() where failure.isSynthetic {
            let sharing = membersByID[ids[index], default: []].filter { $0 != index }
            if failure.label.contains("lookalike") {
                XCTAssertEqual(sharing.map { failures[$0].label }, [], "\(failure.label) / \(failure.origin)")
            } else {
                XCTAssertTrue(
                    sharing.contains { failures[$0].label == failure.label }, "\(failure.label) / \(failure.origin) left its family")
            }
        }
    }
}
