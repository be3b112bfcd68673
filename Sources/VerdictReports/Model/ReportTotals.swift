/// Counts over a report's cases. Every case is exactly one of passed/failed/skipped/errors;
/// `flaky` is a subset of `passed` (those cases passed in the end, after a failed attempt).
public struct ReportTotals: Sendable, Equatable, CustomStringConvertible {
    public var tests = 0
    public var passed = 0
    public var failed = 0
    public var skipped = 0
    public var errors = 0
    public var flaky = 0

    public init(tests: Int = 0, passed: Int = 0, failed: Int = 0, skipped: Int = 0, errors: Int = 0, flaky: Int = 0) {
        self.tests = tests
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.errors = errors
        self.flaky = flaky
    }

    public init(_ cases: [ParsedCase]) {
        for testCase in cases { count(testCase.status) }
    }

    /// Adds one case, for totals kept while cases stream past.
    public mutating func count(_ status: TestStatus) {
        tests += 1
        switch status {
        case .passed: passed += 1
        case .flaky: passed += 1; flaky += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        case .errored: errors += 1
        }
    }

    public var description: String {
        "tests=\(tests) passed=\(passed) failed=\(failed) skipped=\(skipped) errors=\(errors) flaky=\(flaky)"
    }
}
