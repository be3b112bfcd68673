/// Expected duration of each unit from the project's history (see `DurationStats`).
///
/// A unit with history uses it, whatever its hint says: a measurement beats a guess. A unit
/// without history takes, in order:
/// 1. the median of known units in its folder, or in the nearest parent folder that has any
///    (tests in one folder tend to share fixtures and so cost alike);
/// 2. its `weight_ms` hint;
/// 3. the median of all known units;
/// 4. `defaultMeanMs`.
public struct DurationEstimator: Sendable {
    /// For a suite with no history and no hints: one second, the order of a typical integration
    /// test. Any constant gives the same order and the same count-based batches when every unit
    /// uses it, so the value only matters beside units that are known.
    public static let defaultMeanMs = 1_000.0
    /// A single run says nothing about spread; assume σ = 25 % of the mean (run-to-run noise of
    /// CI machines is of that order), so one sample still weighs less than it would if settled.
    public static let singleSampleRelativeSigma = 0.25
    /// A borrowed estimate is less certain than a measurement: σ = 50 % of the estimate.
    public static let estimatedRelativeSigma = 0.5

    private let history: [String: DurationStats]
    private let folderMedians: [Substring: Double]
    private let globalMedian: Double?

    /// `history` maps unit ids to their stats, at the granularity the units will have (use
    /// `FileUnits.history(fromTests:)` first when units are files).
    public init(history: [String: DurationStats]) {
        self.history = history
        var byFolder: [Substring: [Double]] = [:]
        var all: [Double] = []
        all.reserveCapacity(history.count)
        for (id, stats) in history where stats.samples > 0 {
            all.append(stats.meanMs)
            for folder in UnitPath.folders(of: id) { byFolder[folder, default: []].append(stats.meanMs) }
        }
        folderMedians = byFolder.compactMapValues(Median.of)
        globalMedian = Median.of(all)
    }

    public func estimate(_ unit: DispatchUnit) -> DurationEstimate {
        estimate(id: unit.id, weightHintMs: unit.weightHintMs)
    }

    public func estimate(id: String, weightHintMs: Double? = nil) -> DurationEstimate {
        if let stats = history[id], stats.samples > 0 {
            let sigma = stats.samples > 1 ? stats.sigmaMs : stats.meanMs * Self.singleSampleRelativeSigma
            return DurationEstimate(meanMs: stats.meanMs, sigmaMs: sigma, source: .history)
        }
        for folder in UnitPath.folders(of: id) {
            if let median = folderMedians[folder] { return borrowed(median, .folderMedian(String(folder))) }
        }
        if let hint = weightHintMs, hint.isFinite, hint >= 0 { return borrowed(hint, .hint) }
        if let globalMedian { return borrowed(globalMedian, .globalMedian) }
        return borrowed(Self.defaultMeanMs, .fallback)
    }

    public func estimates(_ units: [DispatchUnit]) -> [DurationEstimate] { units.map(estimate) }

    private func borrowed(_ meanMs: Double, _ source: DurationEstimate.Source) -> DurationEstimate {
        DurationEstimate(meanMs: meanMs, sigmaMs: meanMs * Self.estimatedRelativeSigma, source: source)
    }
}
