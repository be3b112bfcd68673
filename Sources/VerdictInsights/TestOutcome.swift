/// A test's result in one run as the insights read it. Kept apart from the store's case status so
/// this module stays pure code (no database, no I/O) that the services, the benchmarks and the
/// tests all call the same way.
public enum TestOutcome: String, Sendable, CaseIterable {
    case passed, failed, flaky, skipped, errored

    /// Failed or errored in the end: what a run page counts as a failure.
    public var isFailure: Bool { self == .failed || self == .errored }

    /// Passed in the end, with or without a retry.
    public var isPass: Bool { self == .passed || self == .flaky }
}
