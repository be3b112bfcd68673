import VerdictDB

/// Counts of outcomes, as runs, reports and suites each keep them.
public struct ResultTotals: Sendable, Equatable {
    public var tests: Int
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    public var errors: Int
    public var flaky: Int

    /// Reads the six count columns; suites call their error count `error_count`, because
    /// `errors` there holds the suite's error details.
    init(_ row: Row, errorsColumn: String = "errors") throws {
        tests = try row.decode("tests")
        passed = try row.decode("passed")
        failed = try row.decode("failed")
        skipped = try row.decode("skipped")
        errors = try row.decode(errorsColumn)
        flaky = try row.decode("flaky")
    }
}
