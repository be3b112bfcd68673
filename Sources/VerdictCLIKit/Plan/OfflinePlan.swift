import VerdictDispatch

/// `verdict plan`'s split: the dispatcher's static planner (longest processing time first, ties
/// by id and shard number) over the dispatcher's estimates, fed with the durations file summed
/// to the units' granularity. A unit the file does not know is estimated as the orchestrator
/// would: the median of its folder's known units, else of all known units, else one second.
public enum OfflinePlan {
    public struct Result: Sendable, Equatable {
        /// Unit ids per shard (shard 1 first), longest first within each.
        public var shards: [[String]]
        /// Expected work per shard, ms.
        public var expectedMs: [Double]
        /// Units whose duration the file gave.
        public var known: Int
    }

    public static func plan(_ units: [String], durations: Durations?, shards: Int) -> Result {
        var history: [String: DurationStats] = [:]
        for unit in units {
            if let ms = durations?.milliseconds(of: unit) { history[unit] = DurationStats(meanMs: ms) }
        }
        let plan = StaticPlanner.plan(
            units.map { DispatchUnit(id: $0) }, estimator: DurationEstimator(history: history), shards: shards)
        return Result(shards: plan.shards, expectedMs: plan.expectedMs, known: history.count)
    }
}
