/// The offline fallback (`verdict plan --shard 3/8 --durations FILE`): when a CI job cannot reach
/// Verdict it still shards, by longest-processing-time-first over known durations.
///
/// Deterministic by construction, because every job computes the plan on its own and they must
/// agree: units sorted by expected duration descending with ties by id (UTF-8 byte order), each
/// given to the shard with the least expected work so far, ties to the lowest shard number.
/// LPT's makespan is within 4/3 of the optimum on the expected durations.
public enum StaticPlanner {
    public struct Plan: Sendable, Equatable {
        /// Unit ids per shard (shard 0 first), each shard's units longest first.
        public var shards: [[String]]
        /// Expected work per shard, ms.
        public var expectedMs: [Double]

        /// The units of shard `number` (1-based, as `--shard 3/8` spells it).
        public func shard(_ number: Int) -> [String] {
            guard number >= 1, number <= shards.count else { return [] }
            return shards[number - 1]
        }
    }

    /// Plans known durations. Ids are expected to be unique; a repeated id is planned once.
    public static func plan(_ units: [(id: String, expectedMs: Double)], shards count: Int) -> Plan {
        let count = max(1, count)
        var seen = Set<String>()
        let ordered = units.filter { seen.insert($0.id).inserted }.sorted { a, b in
            a.expectedMs != b.expectedMs ? a.expectedMs > b.expectedMs : UnitPath.precedes(a.id, b.id)
        }
        var shards = [[String]](repeating: [], count: count)
        var loads = [Double](repeating: 0, count: count)
        var heap = LeastLoaded(count: count)
        for unit in ordered {
            let shard = heap.popMin()
            shards[shard].append(unit.id)
            loads[shard] += max(0, unit.expectedMs)
            heap.push(shard, load: loads[shard])
        }
        return Plan(shards: shards, expectedMs: loads)
    }

    /// Plans units whose durations come from history, estimating unknown ones the way the queue
    /// does (`DurationEstimator`).
    public static func plan(_ units: [DispatchUnit], estimator: DurationEstimator, shards count: Int) -> Plan {
        plan(units.map { ($0.id, estimator.estimate($0).meanMs) }, shards: count)
    }
}

/// A binary min-heap of shards keyed by (load, shard number): O(log K) per unit instead of a scan
/// of all K shards, which matters at 23,000 units.
struct LeastLoaded {
    private var entries: [(load: Double, shard: Int)]

    init(count: Int) { entries = (0..<count).map { (0, $0) } }

    private static func less(_ a: (load: Double, shard: Int), _ b: (load: Double, shard: Int)) -> Bool {
        a.load != b.load ? a.load < b.load : a.shard < b.shard
    }

    mutating func popMin() -> Int {
        let top = entries[0].shard
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var index = 0
            while true {
                let left = 2 * index + 1
                let right = left + 1
                var smallest = index
                if left < entries.count, Self.less(entries[left], entries[smallest]) { smallest = left }
                if right < entries.count, Self.less(entries[right], entries[smallest]) { smallest = right }
                if smallest == index { break }
                entries.swapAt(index, smallest)
                index = smallest
            }
        }
        return top
    }

    mutating func push(_ shard: Int, load: Double) {
        entries.append((load, shard))
        var index = entries.count - 1
        while index > 0 {
            let parent = (index - 1) / 2
            guard Self.less(entries[index], entries[parent]) else { break }
            entries.swapAt(index, parent)
            index = parent
        }
    }
}
