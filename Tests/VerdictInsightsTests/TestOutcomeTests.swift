import VerdictInsights
import XCTest

final class TestOutcomeTests: XCTestCase {
    func testFailuresAndPassesAreDisjointAndSkippedIsNeither() {
        for outcome in TestOutcome.allCases { XCTAssertFalse(outcome.isFailure && outcome.isPass, "\(outcome)") }
        XCTAssertEqual(TestOutcome.allCases.filter(\.isFailure), [.failed, .errored])
        XCTAssertEqual(TestOutcome.allCases.filter(\.isPass), [.passed, .flaky])
        XCTAssertFalse(TestOutcome.skipped.isFailure || TestOutcome.skipped.isPass)
    }
}
