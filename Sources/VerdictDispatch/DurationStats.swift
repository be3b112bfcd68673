/// A unit's duration history, kept as an exponentially weighted mean and variance (in ms), so a
/// run updates one row per unit instead of re-reading every earlier run.
///
/// Recent runs count more than old ones because suites drift (tests get added to a file, fixtures
/// get faster); plain averages would keep remembering a file as it was a year ago.
public struct DurationStats: Sendable, Equatable {
    /// Weight of the newest sample. 0.25 remembers roughly the last 7 runs (2/α − 1), enough to
    /// smooth one slow CI machine out but to follow a real change within a few runs.
    public static let defaultAlpha = 0.25

    public var meanMs: Double
    /// The exponentially weighted variance (ms²); 0 until a second sample arrives.
    public var varianceMs2: Double
    /// How many samples went in, so a caller can tell one measurement from a settled history.
    public var samples: Int

    public init(meanMs: Double, varianceMs2: Double = 0, samples: Int = 1) {
        self.meanMs = meanMs
        self.varianceMs2 = max(0, varianceMs2)
        self.samples = samples
    }

    /// The history after one run: the first sample is the mean itself; later ones move the mean by
    /// α of the difference and the variance by the incremental EW formula (Finch, "Incremental
    /// calculation of weighted mean and variance", 2009), so no sample list is kept.
    public func updated(with sampleMs: Double, alpha: Double = DurationStats.defaultAlpha) -> DurationStats {
        let sample = max(0, sampleMs)
        guard samples > 0 else { return DurationStats(meanMs: sample, varianceMs2: 0, samples: 1) }
        let difference = sample - meanMs
        let increment = alpha * difference
        return DurationStats(
            meanMs: meanMs + increment, varianceMs2: (1 - alpha) * (varianceMs2 + difference * increment), samples: samples + 1)
    }

    /// The standard deviation; zero for a single sample (see `DurationEstimator` for the spread
    /// assumed then).
    public var sigmaMs: Double { varianceMs2.squareRoot() }
}
