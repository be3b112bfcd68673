import VerdictInsights
import XCTest

final class FailureClusteringTests: XCTestCase {
    func testGroupsByIDLargestFirstWithMembersInOrder() {
        let failures: [(errorType: String?, message: String?, stack: String?)] = [
            (nil, "Connection refused on port 5432", nil),
            ("Error", "Timeout 1500ms exceeded", "    at pay (/a/src/pay.ts:1:1)"),
            (nil, "Connection refused on port 6543", nil),
            ("Error", "Timeout 900ms exceeded", "    at pay (/b/src/pay.ts:4:2)"),
            ("Error", "Timeout 10ms exceeded", "    at pay (/b/src/pay.ts:4:2)"),
            (nil, "Something else", nil),
        ]
        let clusters = FailureClustering.cluster(failures)
        XCTAssertEqual(clusters.map(\.members), [[1, 3, 4], [0, 2], [5]])
        XCTAssertEqual(clusters.map(\.count), [3, 2, 1])
        XCTAssertEqual(clusters[0].template, "Timeout <num>ms exceeded")
        XCTAssertNil(clusters[0].errorType, "`Error` says nothing")
        XCTAssertEqual(clusters[0].frames, ["src/pay.ts:pay"])
        XCTAssertEqual(clusters[1].template, "Connection refused on port <num>")
        XCTAssertEqual(Set(clusters.map(\.id)).count, 3)
    }

    /// A failure's cluster id does not depend on the batch it is clustered with.
    func testClusterIDsDoNotDependOnTheBatch() {
        let alone = FailureClustering.cluster([(nil, "Connection refused on port 5432", nil)])
        let inBatch = FailureClustering.cluster([(nil, "x", nil), (nil, "y", nil), (nil, "Connection refused on port 1", nil)])
        XCTAssertEqual(alone[0].id, inBatch.first { $0.members == [2] }?.id)
    }

    func testEmptyInput() {
        XCTAssertEqual(FailureClustering.cluster([FailureFingerprint]()), [])
    }

    func testPairwiseAgreement() {
        // Labels {0,1,2} {3,4}; prediction {0,1} {2,3,4}.
        let score = PairwiseAgreement(predicted: ["a", "a", "b", "b", "b"], labels: [1, 1, 1, 2, 2])
        XCTAssertEqual(score.pairs, 10)
        XCTAssertEqual(score.predictedTogether, 1 + 3)
        XCTAssertEqual(score.labelledTogether, 3 + 1)
        XCTAssertEqual(score.together, 1 + 1)
        XCTAssertEqual(score.precision, 0.5)
        XCTAssertEqual(score.recall, 0.5)
        let perfect = PairwiseAgreement(predicted: [7, 7, 8], labels: ["x", "x", "y"])
        XCTAssertEqual(perfect.precision, 1)
        XCTAssertEqual(perfect.recall, 1)
        let singletons = PairwiseAgreement(predicted: [1, 2], labels: [1, 2])
        XCTAssertEqual(singletons.precision, 1, "no pair predicted together: nothing wrong merged")
    }
}
