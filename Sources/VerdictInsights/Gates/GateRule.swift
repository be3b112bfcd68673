/// One rule of a quality gate, as a project configures it: `{"type": "pass_rate", "params":
/// {"threshold": 98}}`. Every rule but `required_tests` has a numeric threshold.
public enum GateRule: Sendable, Equatable {
    /// At least this many tests ran (skipped ones do not count).
    case minTests(Int)
    /// At most this many tests failed or errored, quarantined tests excluded.
    case maxFailures(Int)
    /// Passed (first try or on a retry) over tests that ran, in percent, at least this.
    case passRate(Double)
    /// At most this many tests fail now that did not fail in the comparison's base run.
    case noNewFailures(Int)
    /// At most this many failure clusters seen for the first time in the project.
    case noNewClusters(Int)
    /// At most this many flaky results (passed only on a retry), or with `percentOfTests` at
    /// most this share of the tests that ran.
    case maxFlaky(Double, percentOfTests: Bool)
    /// The run's wall time, at most this long.
    case maxDurationMs(Double)
    /// No test slower than its recent median by more than this many percent (the comparison's
    /// duration regressions).
    case durationRegressionPct(Double)
    /// These tests (ids or full titles) must be in the run and pass.
    case requiredTests([String])

    /// The type as the API names it.
    public var type: String {
        switch self {
        case .minTests: return "min_tests"
        case .maxFailures: return "max_failures"
        case .passRate: return "pass_rate"
        case .noNewFailures: return "no_new_failures"
        case .noNewClusters: return "no_new_clusters"
        case .maxFlaky: return "max_flaky"
        case .maxDurationMs: return "max_duration_ms"
        case .durationRegressionPct: return "duration_regression_pct"
        case .requiredTests: return "required_tests"
        }
    }

    public static let types = [
        "min_tests", "max_failures", "pass_rate", "no_new_failures", "no_new_clusters", "max_flaky", "max_duration_ms",
        "duration_regression_pct", "required_tests",
    ]

    /// The threshold the rule compares with; nil for `required_tests`.
    public var threshold: Double? {
        switch self {
        case .minTests(let n), .maxFailures(let n), .noNewFailures(let n), .noNewClusters(let n): return Double(n)
        case .passRate(let value), .maxFlaky(let value, _), .maxDurationMs(let value), .durationRegressionPct(let value): return value
        case .requiredTests: return nil
        }
    }
}

/// Why a rule could not be read; `field` names the part (`params.threshold`).
public struct GateRuleError: Error, Sendable, Equatable {
    public var field: String
    public var reason: String
}

extension GateRule {
    /// Builds a rule from its type and its params' values. `threshold` is the params'
    /// `threshold` if any, `unit` its `unit` (`count` or `percent`, for `max_flaky`), `tests`
    /// its `tests` (for `required_tests`).
    public init(type: String, threshold: Double?, unit: String? = nil, tests: [String]? = nil) throws(GateRuleError) {
        func count() throws(GateRuleError) -> Int {
            guard let threshold, threshold >= 0, threshold <= 1e9, threshold == threshold.rounded(.down) else {
                throw GateRuleError(field: "params.threshold", reason: "must be a whole number from 0")
            }
            return Int(threshold)
        }
        func amount(upTo maximum: Double) throws(GateRuleError) -> Double {
            guard let threshold, threshold.isFinite, threshold >= 0, threshold <= maximum else {
                throw GateRuleError(field: "params.threshold", reason: "must be a number from 0 to \(Int(maximum))")
            }
            return threshold
        }
        if type != "max_flaky", unit != nil { throw GateRuleError(field: "params.unit", reason: "is only for max_flaky") }
        if type != "required_tests", tests != nil { throw GateRuleError(field: "params.tests", reason: "is only for required_tests") }
        switch type {
        case "min_tests": self = .minTests(try count())
        case "max_failures": self = .maxFailures(try count())
        case "pass_rate": self = .passRate(try amount(upTo: 100))
        case "no_new_failures": self = .noNewFailures(threshold == nil ? 0 : try count())
        case "no_new_clusters": self = .noNewClusters(threshold == nil ? 0 : try count())
        case "max_flaky":
            switch unit ?? "count" {
            case "count": self = .maxFlaky(Double(try count()), percentOfTests: false)
            case "percent": self = .maxFlaky(try amount(upTo: 100), percentOfTests: true)
            default: throw GateRuleError(field: "params.unit", reason: "must be count or percent")
            }
        case "max_duration_ms": self = .maxDurationMs(try amount(upTo: 604_800_000))
        case "duration_regression_pct": self = .durationRegressionPct(try amount(upTo: 1_000_000))
        case "required_tests":
            guard threshold == nil else { throw GateRuleError(field: "params.threshold", reason: "is not a param of required_tests") }
            guard let tests, !tests.isEmpty, tests.count <= 1_000 else {
                throw GateRuleError(field: "params.tests", reason: "must list 1 to 1,000 test ids or full titles")
            }
            self = .requiredTests(tests)
        default:
            throw GateRuleError(field: "type", reason: "must be one of \(Self.types.joined(separator: ", "))")
        }
    }
}
