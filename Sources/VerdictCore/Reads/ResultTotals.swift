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
    init(_ row: Row, errorsColumn: String = "errors") {
        tests = row.int("tests") ?? 0
        passed = row.int("passed") ?? 0
        failed = row.int("failed") ?? 0
        skipped = row.int("skipped") ?? 0
        errors = row.int(errorsColumn) ?? 0
        flaky = row.int("flaky") ?? 0
    }
}
