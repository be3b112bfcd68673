/// What comparing two runs of a project answers: the runs, how the base was chosen, and per
/// category the full count and the first `limit` tests.
public struct RunComparison: Sendable {
    public var base: RunSummary
    public var head: RunSummary
    /// How the base was found: given by the caller, or chosen by the default rule.
    public var baseSelection: BaseSelection
    public var options: CompareOptions
    /// Every category, in `TestChangeCategory.allCases` order.
    public var categories: [TestChanges]
    /// Failure clusters of head's failures that none of base's failures had, largest first
    /// (up to `options.limit`), and how many there are.
    public var newClusters: [RunCluster] = []
    public var newClustersTotal = 0

    public subscript(_ category: TestChangeCategory) -> TestChanges {
        categories.first { $0.category == category } ?? TestChanges(category: category, total: 0, tests: [])
    }
}

/// How a comparison's base run was chosen.
public enum BaseSelection: String, Sendable {
    /// `?base=` named it.
    case given
    /// The latest completed run of head's branch created before head.
    case sameBranch = "same_branch"
    /// The latest completed run of the project's default branch created before head.
    case defaultBranch = "default_branch"
}

/// Thresholds and list bounds of a comparison.
public struct CompareOptions: Sendable, Equatable {
    /// A duration regression is at least this many percent slower than the reference…
    public var minIncreasePercent: Double
    /// …and at least this many milliseconds.
    public var minIncreaseMilliseconds: Double
    /// Tests listed per category; the summary counts them all.
    public var limit: Int

    public static let defaultLimit = 100
    public static let maxLimit = 1_000
    /// Recent completed runs of the base's branch whose durations make a test's reference.
    public static let historyRuns = 10
    /// Fewer samples than this and the reference is the base's duration.
    public static let minimumHistorySamples = 3

    public init(minIncreasePercent: Double = 20, minIncreaseMilliseconds: Double = 100, limit: Int = Self.defaultLimit) {
        self.minIncreasePercent = minIncreasePercent
        self.minIncreaseMilliseconds = minIncreaseMilliseconds
        self.limit = limit
    }
}

/// The per-test lists of a comparison. New lists (failure clusters, say) are compared by their
/// own services and added beside these, not as another case here: a case is a list of tests.
public enum TestChangeCategory: String, Sendable, CaseIterable {
    /// Failed or errored in head; passed, flaky, skipped or absent in base.
    case newFailures = "new_failures"
    /// Failed or errored in base; passed or flaky in head.
    case fixed
    /// Failed or errored in both.
    case stillFailing = "still_failing"
    /// In head, not in base.
    case newTests = "new_tests"
    /// In base, not in head.
    case removedTests = "removed_tests"
    /// Flaky in head; not flaky (or absent) in base.
    case newlyFlaky = "newly_flaky"
    /// Slower in head than its reference by both thresholds (neither side skipped).
    case durationRegressions = "duration_regressions"
}

/// One category: how many tests fall in it, and the first of them.
public struct TestChanges: Sendable {
    public var category: TestChangeCategory
    public var total: Int
    public var tests: [TestChange]
}

/// One test as base and head have it (nil where the run does not have it). A test that ran
/// several times in one run (reruns in several reports) is one result: `flaky` when it both
/// failed and passed, else its worst status; its duration the mean of its results'.
public struct TestChange: Sendable {
    public var testID: TestID
    public var fullTitle: String
    public var base: TestSide?
    public var head: TestSide?
    /// Duration regressions: what head was compared with.
    public var reference: DurationReference?
}

public struct TestSide: Sendable {
    public var status: CaseStatus
    public var durationMilliseconds: Double?
    /// One of the test's cases in the run (the first in report order), to link to.
    public var caseID: CaseID
    /// How many results the test had in the run (more than 1 with reruns).
    public var results: Int
}

/// The duration a regression is measured against.
public struct DurationReference: Sendable {
    public enum Source: String, Sendable {
        /// The median of the test's durations in recent completed runs of the base's branch.
        case historyMedian = "history_median"
        /// Too little history: the base's duration.
        case base
    }
    public var source: Source
    public var durationMilliseconds: Double
    /// Runs the median was taken over (0 for `base`).
    public var samples: Int
    public var increaseMilliseconds: Double
    public var increasePercent: Double
}

extension CompareOptions {
    /// The options as a query string gives them (nil: the default), each checked and named.
    public static func parse(minIncreasePercent: String?, minIncreaseMilliseconds: String?, limit: String?) throws(ServiceError)
        -> CompareOptions
    {
        var options = CompareOptions()
        if let text = minIncreasePercent {
            options.minIncreasePercent = try number(text, field: "min_increase_pct", range: 0...100_000)
        }
        if let text = minIncreaseMilliseconds {
            options.minIncreaseMilliseconds = try number(text, field: "min_increase_ms", range: 0...86_400_000)
        }
        if let text = limit {
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                throw .invalid(field: "limit", reason: "must be a whole number from 1 to \(maxLimit)")
            }
            options.limit = value
        }
        return options
    }

    /// A plain decimal number (no `nan`, `inf` or hexadecimal) within `range`.
    static func number(_ text: String, field: String, range: ClosedRange<Double>) throws(ServiceError) -> Double {
        let plain = !text.isEmpty && text.utf8.allSatisfy { (48...57).contains($0) || $0 == UInt8(ascii: ".") }
        guard plain, let value = Double(text), range.contains(value) else {
            throw .invalid(field: field, reason: "must be a number from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
        }
        return value
    }
}
