/// What a run gives the gates to judge, gathered once for all of a project's gates.
public struct GateFacts: Sendable {
    /// Tests that ran (not skipped).
    public var testsRun: Int
    /// Passed at the first try, or on a retry (flaky).
    public var passed: Int
    /// Failed or errored.
    public var failures: Int
    /// Of those, tests under quarantine: they do not fail gates.
    public var quarantinedFailures: Int
    public var flaky: Int
    /// The run's wall time, when known.
    public var durationMs: Double?
    /// Against the comparison's base run; nil when there is none to compare with.
    public var newFailures: Int?
    /// Failure clusters the project had not seen before this run.
    public var newClusters: Int
    /// The largest slowdown of a test over its recent median, percent; nil without a base.
    public var worstDurationRegressionPct: Double?
    /// For `required_tests`: each requested id or title, and the status the run gave it (nil
    /// when it is not in the run).
    public var requiredStatuses: [String: TestOutcome?]

    public init(
        testsRun: Int, passed: Int, failures: Int, quarantinedFailures: Int = 0, flaky: Int, durationMs: Double?,
        newFailures: Int?, newClusters: Int, worstDurationRegressionPct: Double?, requiredStatuses: [String: TestOutcome?] = [:]
    ) {
        self.testsRun = testsRun
        self.passed = passed
        self.failures = failures
        self.quarantinedFailures = quarantinedFailures
        self.flaky = flaky
        self.durationMs = durationMs
        self.newFailures = newFailures
        self.newClusters = newClusters
        self.worstDurationRegressionPct = worstDurationRegressionPct
        self.requiredStatuses = requiredStatuses
    }
}

/// One rule's verdict: what it wanted, what the run had, and a sentence a person can act on.
public struct GateRuleResult: Sendable, Equatable {
    public var rule: GateRule
    public var actual: Double?
    public var passed: Bool
    public var message: String
}

/// Judges a run by a gate's rules. Pure: the same facts give the same verdicts.
public enum GateEvaluation {
    public static func evaluate(_ rules: [GateRule], facts: GateFacts) -> [GateRuleResult] {
        rules.map { evaluate($0, facts: facts) }
    }

    public static func evaluate(_ rule: GateRule, facts: GateFacts) -> GateRuleResult {
        func result(_ actual: Double?, _ passed: Bool, _ message: String) -> GateRuleResult {
            GateRuleResult(rule: rule, actual: actual, passed: passed, message: message)
        }
        switch rule {
        case .minTests(let minimum):
            return result(
                Double(facts.testsRun), facts.testsRun >= minimum,
                "\(facts.testsRun) tests ran; at least \(minimum) required")
        case .maxFailures(let maximum):
            let counted = max(0, facts.failures - facts.quarantinedFailures)
            let note = facts.quarantinedFailures > 0 ? " (\(facts.quarantinedFailures) more under quarantine, not counted)" : ""
            return result(Double(counted), counted <= maximum, "\(counted) tests failed\(note); at most \(maximum) allowed")
        case .passRate(let minimum):
            guard facts.testsRun > 0 else { return result(nil, false, "no test ran, so there is no pass rate") }
            // Quarantined failures count as neither passed nor failed.
            let considered = facts.testsRun - facts.quarantinedFailures
            let rate = considered > 0 ? Double(facts.passed) * 100 / Double(considered) : 100
            return result(rate, rate >= minimum, "pass rate \(Self.percent(rate)); at least \(Self.percent(minimum)) required")
        case .noNewFailures(let maximum):
            guard let newFailures = facts.newFailures else {
                return result(nil, true, "no earlier run to compare with: nothing counts as new")
            }
            return result(
                Double(newFailures), newFailures <= maximum,
                "\(newFailures) tests fail that did not in the base run; at most \(maximum) allowed")
        case .noNewClusters(let maximum):
            return result(
                Double(facts.newClusters), facts.newClusters <= maximum,
                "\(facts.newClusters) failure causes the project had not seen before; at most \(maximum) allowed")
        case .maxFlaky(let maximum, let percentOfTests):
            if percentOfTests {
                let rate = facts.testsRun > 0 ? Double(facts.flaky) * 100 / Double(facts.testsRun) : 0
                return result(
                    rate, rate <= maximum,
                    "\(Self.percent(rate)) of tests passed only on a retry; at most \(Self.percent(maximum)) allowed")
            }
            return result(
                Double(facts.flaky), Double(facts.flaky) <= maximum,
                "\(facts.flaky) tests passed only on a retry; at most \(Int(maximum)) allowed")
        case .maxDurationMs(let maximum):
            guard let duration = facts.durationMs else { return result(nil, false, "the run's duration is not known") }
            return result(
                duration, duration <= maximum, "the run took \(Self.seconds(duration)); at most \(Self.seconds(maximum)) allowed")
        case .durationRegressionPct(let maximum):
            guard let worst = facts.worstDurationRegressionPct else {
                return result(nil, true, "no earlier runs to compare durations with")
            }
            return result(
                worst, worst <= maximum,
                "the slowest-grown test is \(Self.percent(worst)) slower than its recent median; at most \(Self.percent(maximum)) allowed")
        case .requiredTests(let tests):
            let missing = tests.filter { facts.requiredStatuses[$0] == nil || facts.requiredStatuses[$0]! == nil }
            let notPassing = tests.filter { test in
                guard let status = facts.requiredStatuses[test], let status else { return false }
                return !status.isPass
            }
            let passing = tests.count - missing.count - notPassing.count
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing: " + Self.list(missing)) }
            if !notPassing.isEmpty { problems.append("not passing: " + Self.list(notPassing)) }
            return result(
                Double(passing), problems.isEmpty,
                problems.isEmpty
                    ? "all \(tests.count) required tests passed"
                    : "\(passing) of \(tests.count) required tests passed; " + problems.joined(separator: "; "))
        }
    }

    static func percent(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? "\(Int(rounded)) %" : "\(rounded) %"
    }

    static func seconds(_ milliseconds: Double) -> String {
        let tenths = (milliseconds / 100).rounded() / 10
        return "\(tenths) s"
    }

    static func list(_ tests: [String]) -> String {
        tests.prefix(5).joined(separator: ", ") + (tests.count > 5 ? " and \(tests.count - 5) more" : "")
    }
}
