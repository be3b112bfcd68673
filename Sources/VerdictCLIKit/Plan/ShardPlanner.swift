/// A unit with its expected duration, as a planner takes it.
public struct PlanUnit: Sendable, Equatable {
    public var id: String
    public var estimatedMs: Double

    public init(id: String, estimatedMs: Double) {
        self.id = id
        self.estimatedMs = estimatedMs
    }
}

/// Splits units into shards ahead of time, the same way on every machine. `verdict plan` talks
/// to this protocol only, so another planner (the dispatcher's, once it lands) can take over
/// without touching the command.
public protocol ShardPlanner: Sendable {
    /// `shards` lists of unit ids; each unit in exactly one.
    func plan(_ units: [PlanUnit], shards: Int) -> [[String]]
}

/// Longest processing time first (Graham's LPT): the longest unit goes to the least loaded shard,
/// then the next longest, and so on; within 4/3 of the best possible longest shard. Ties break by
/// unit id and by shard number, so every worker of a CI matrix computes the same plan from the
/// same input, whatever order the units came in.
public struct LongestProcessingTimePlanner: ShardPlanner {
    public init() {}

    public func plan(_ units: [PlanUnit], shards: Int) -> [[String]] {
        precondition(shards >= 1)
        let order = units.sorted { a, b in
            a.estimatedMs != b.estimatedMs ? a.estimatedMs > b.estimatedMs : a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }
        var loads = [Double](repeating: 0, count: shards)
        var plan = [[String]](repeating: [], count: shards)
        for unit in order {
            var target = 0
            for shard in 1..<shards where loads[shard] < loads[target] { target = shard }
            loads[target] += unit.estimatedMs
            plan[target].append(unit.id)
        }
        return plan.map { $0.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
    }
}

/// Expected durations for units: the known ones from `Durations`, the rest the median of the
/// known (new tests cost what a typical one does), or one second when nothing is known.
public enum DurationEstimates {
    public static let unknownMs = 1_000.0

    public static func units(_ ids: [String], durations: Durations?) -> (units: [PlanUnit], known: Int) {
        let known = ids.map { id in durations?.milliseconds(of: id) }
        let values = known.compactMap { $0 }.sorted()
        let fallback =
            values.isEmpty
            ? unknownMs
            : values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
        return (zip(ids, known).map { PlanUnit(id: $0, estimatedMs: $1 ?? fallback) }, values.count)
    }
}
