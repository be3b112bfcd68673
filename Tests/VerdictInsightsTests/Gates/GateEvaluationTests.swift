import VerdictInsights
import XCTest

final class GateEvaluationTests: XCTestCase {
    let facts = GateFacts(
        testsRun: 200, passed: 194, failures: 6, quarantinedFailures: 2, flaky: 4, durationMs: 61_500, newFailures: 1, newClusters: 0,
        worstDurationRegressionPct: 35, requiredStatuses: ["login works": .passed, "checkout": .failed, "a1b2": .flaky])

    func verdict(_ rule: GateRule) -> GateRuleResult { GateEvaluation.evaluate(rule, facts: facts) }

    func testEachRuleComparesItsThresholdWithTheRun() {
        XCTAssertTrue(verdict(.minTests(200)).passed)
        XCTAssertFalse(verdict(.minTests(201)).passed)
        // Quarantined failures are not counted: 4 of 6.
        XCTAssertEqual(verdict(.maxFailures(4)).actual, 4)
        XCTAssertTrue(verdict(.maxFailures(4)).passed)
        XCTAssertFalse(verdict(.maxFailures(3)).passed)
        XCTAssertTrue(verdict(.maxFailures(4)).message.contains("2 more under quarantine"))
        // 194 passed of 198 considered (the 2 quarantined left out).
        XCTAssertEqual(verdict(.passRate(98)).actual ?? 0, 97.9798, accuracy: 0.001)
        XCTAssertFalse(verdict(.passRate(98)).passed)
        XCTAssertTrue(verdict(.passRate(97.9)).passed)
        XCTAssertFalse(verdict(.noNewFailures(0)).passed)
        XCTAssertTrue(verdict(.noNewFailures(1)).passed)
        XCTAssertTrue(verdict(.noNewClusters(0)).passed)
        XCTAssertTrue(verdict(.maxFlaky(4, percentOfTests: false)).passed)
        XCTAssertFalse(verdict(.maxFlaky(3, percentOfTests: false)).passed)
        XCTAssertTrue(verdict(.maxFlaky(2, percentOfTests: true)).passed, "4 of 200 is 2 %")
        XCTAssertFalse(verdict(.maxFlaky(1.9, percentOfTests: true)).passed)
        XCTAssertFalse(verdict(.maxDurationMs(60_000)).passed)
        XCTAssertEqual(verdict(.maxDurationMs(60_000)).message, "the run took 61.5 s; at most 60.0 s allowed")
        XCTAssertFalse(verdict(.durationRegressionPct(20)).passed)
        XCTAssertTrue(verdict(.durationRegressionPct(50)).passed)
    }

    func testRequiredTestsMustBePresentAndPass() {
        let result = verdict(.requiredTests(["login works", "checkout", "a1b2", "gone"]))
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.actual, 2, "a flaky pass is a pass")
        XCTAssertEqual(result.message, "2 of 4 required tests passed; missing: gone; not passing: checkout")
        XCTAssertTrue(verdict(.requiredTests(["login works", "a1b2"])).passed)
    }

    func testWithoutABaseOrADurationTheRulesSaySo() {
        var bare = facts
        bare.newFailures = nil
        bare.worstDurationRegressionPct = nil
        bare.durationMs = nil
        XCTAssertTrue(GateEvaluation.evaluate(.noNewFailures(0), facts: bare).passed)
        XCTAssertTrue(GateEvaluation.evaluate(.durationRegressionPct(10), facts: bare).passed)
        XCTAssertFalse(GateEvaluation.evaluate(.maxDurationMs(1), facts: bare).passed, "a limit it cannot check fails safe")
        bare.testsRun = 0
        XCTAssertFalse(GateEvaluation.evaluate(.passRate(0), facts: bare).passed, "no test ran: nothing to pass")
    }

    func testRulesAreReadStrictly() throws {
        XCTAssertEqual(try GateRule(type: "pass_rate", threshold: 98.5), .passRate(98.5))
        XCTAssertEqual(try GateRule(type: "max_flaky", threshold: 3, unit: "percent"), .maxFlaky(3, percentOfTests: true))
        XCTAssertEqual(try GateRule(type: "no_new_failures", threshold: nil), .noNewFailures(0))
        XCTAssertEqual(try GateRule(type: "required_tests", threshold: nil, tests: ["a"]), .requiredTests(["a"]))
        let bad: [(String, Double?, String?, [String]?, String)] = [
            ("pass_rate", 101, nil, nil, "params.threshold"), ("min_tests", 1.5, nil, nil, "params.threshold"),
            ("max_failures", -1, nil, nil, "params.threshold"), ("min_tests", nil, nil, nil, "params.threshold"),
            ("max_flaky", 1, "ratio", nil, "params.unit"), ("pass_rate", 90, "percent", nil, "params.unit"),
            ("required_tests", nil, nil, [], "params.tests"), ("required_tests", 1, nil, ["a"], "params.threshold"),
            ("min_tests", 1, nil, ["a"], "params.tests"), ("coverage", 80, nil, nil, "type"),
            ("max_duration_ms", .infinity, nil, nil, "params.threshold"),
        ]
        for (type, threshold, unit, tests, field) in bad {
            XCTAssertThrowsError(try GateRule(type: type, threshold: threshold, unit: unit, tests: tests), type) { error in
                XCTAssertEqual((error as? GateRuleError)?.field, field, "\(type) \(String(describing: threshold))")
            }
        }
        for type in GateRule.types where type != "required_tests" {
            XCTAssertEqual(try GateRule(type: type, threshold: 1).type, type)
        }
    }
}
