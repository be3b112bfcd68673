/// What the dispatcher expects of one unit: a mean and a spread, and where they came from (so a
/// run page can say "estimated from its folder" instead of presenting a guess as history).
public struct DurationEstimate: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The unit's own history.
        case history
        /// The median of known units in this folder (the unit's own or the nearest parent).
        case folderMedian(String)
        /// The `weight_ms` hint the runner sent.
        case hint
        /// The median of every known unit.
        case globalMedian
        /// Nothing known at all: `DurationEstimator.defaultMeanMs`.
        case fallback
    }

    public var meanMs: Double
    public var sigmaMs: Double
    public var source: Source

    public init(meanMs: Double, sigmaMs: Double, source: Source) {
        self.meanMs = meanMs
        self.sigmaMs = sigmaMs
        self.source = source
    }
}

/// A unit waiting to be estimated: its id and the runner's optional `weight_ms` hint.
public struct DispatchUnit: Sendable, Equatable {
    public var id: String
    public var weightHintMs: Double?

    public init(id: String, weightHintMs: Double? = nil) {
        self.id = id
        self.weightHintMs = weightHintMs
    }
}
