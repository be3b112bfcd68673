/// One test's result in one CI run, as the classifier reads it: the fields a `cases` row and
/// its run give (status, attempt count, commit, how many of the run's tests failed, when).
/// Plain values and no strings, so a project's million observations sit in one flat array and
/// are read without reference counting; the commit is a small integer (see `CommitKeys`).
public struct FlakinessObservation: Sendable, Equatable {
    /// The final outcome in the run; `.flaky` means it failed and then passed on a retry inside
    /// the run, `.skipped` results are ignored.
    public var outcome: TestOutcome
    /// The commit the run tested; `.unknown` when the run did not say.
    public var commit: CommitKey
    /// The share of the run's (non-skipped) tests that failed, 0…1: a run where most tests
    /// failed at once is an infrastructure burst, not evidence about this test.
    public var runFailureFraction: Double
    /// How many tests the run had (0 when unknown). Small runs are never treated as bursts: one
    /// real breakage fails most of a five-test project.
    public var runTestCount: Int32
    /// Tries inside the run (1 without retries; 0 when unknown). Reported, not needed: `.flaky`
    /// already says a retry passed.
    public var attempts: Int32
    /// The order key, e.g. the run's creation time in epoch milliseconds. Histories are passed
    /// oldest first (ascending `at`); it is echoed back as the evidence's `lastSeen`.
    public var at: Int64

    public init(
        outcome: TestOutcome, commit: CommitKey = .unknown, runFailureFraction: Double = 0, runTestCount: Int32 = 0,
        attempts: Int32 = 1, at: Int64
    ) {
        self.outcome = outcome
        self.commit = commit
        self.runFailureFraction = runFailureFraction
        self.runTestCount = runTestCount
        self.attempts = attempts
        self.at = at
    }
}

/// A commit as a small integer, so same-commit checks compare integers, not 40-character
/// hashes. Keys only mean something within one `CommitKeys` table (one classification call).
public struct CommitKey: Hashable, Sendable, Comparable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No commit recorded: never contradicts anything.
    public static let unknown = CommitKey(rawValue: 0)

    public static func < (lhs: CommitKey, rhs: CommitKey) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Hands out a `CommitKey` per distinct commit hash while rows are read (one dictionary lookup
/// per row, where the row's string is decoded anyway), so the classifier never hashes strings.
public struct CommitKeys: Sendable {
    private var keys: [String: CommitKey] = [:]

    public init() {}

    /// The key for `sha`; the empty string (no commit recorded) is `.unknown`.
    public mutating func key(_ sha: String) -> CommitKey {
        if sha.isEmpty { return .unknown }
        if let key = keys[sha] { return key }
        let key = CommitKey(rawValue: UInt32(keys.count + 1))
        keys[sha] = key
        return key
    }

    /// Distinct commits seen so far.
    public var count: Int { keys.count }
}
