import VerdictTestSupport
import XCTest

@testable import VerdictDispatch

final class StaticPlannerTests: XCTestCase {
    func testLongestFirstToTheLeastLoadedShard() {
        let plan = StaticPlanner.plan([("a", 5), ("b", 7), ("c", 3), ("d", 3), ("e", 2)], shards: 2)
        // 7→0, 5→1, 3 (c)→1 (5<7), 3 (d)→0 (7<8), 2→0 (10>8? no: loads 10 and 8 → shard 1)
        XCTAssertEqual(plan.shards, [["b", "d"], ["a", "c", "e"]])
        XCTAssertEqual(plan.expectedMs, [10, 10])
        XCTAssertEqual(plan.shard(2), ["a", "c", "e"], "1-based, as --shard 2/2 says")
        XCTAssertEqual(plan.shard(3), [])
    }

    func testTiesAreBrokenByIdSoEveryJobAgrees() {
        let units: [(id: String, expectedMs: Double)] = (0..<200).map { ("t/test_\($0).py::t", Double($0 % 7)) }
        let plan = StaticPlanner.plan(units, shards: 8)
        var random = SeededRandom(seed: 7)
        for _ in 0..<20 {
            var shuffled = units
            for index in shuffled.indices.reversed() { shuffled.swapAt(index, random.int(0..<(index + 1))) }
            XCTAssertEqual(StaticPlanner.plan(shuffled, shards: 8), plan)
        }
        let equal = StaticPlanner.plan([("b", 1), ("a", 1), ("c", 1)], shards: 2)
        XCTAssertEqual(equal.shards, [["a", "c"], ["b"]], "equal durations in id order, equal loads to the lowest shard")
    }

    func testEveryUnitOnceAndBalanced() {
        var random = SeededRandom(seed: 3)
        for shards in [1, 2, 3, 8, 32] {
            let units: [(id: String, expectedMs: Double)] = (0..<500).map { ("u\($0)", Double(1 + random.int(0..<1_000))) }
            let plan = StaticPlanner.plan(units + [("u0", 99)], shards: shards)
            XCTAssertEqual(plan.shards.count, shards)
            XCTAssertEqual(plan.shards.flatMap { $0 }.sorted(), units.map(\.id).sorted(), "each unit exactly once")
            let total = units.reduce(0) { $0 + $1.expectedMs }
            let longest = units.map(\.expectedMs).max()!
            // LPT ends within one unit of the mean load, and with these many small units close to it.
            XCTAssertLessThanOrEqual(plan.expectedMs.max()!, total / Double(shards) + longest)
            XCTAssertLessThanOrEqual(plan.expectedMs.max()! - plan.expectedMs.min()!, longest)
            for (shard, ids) in plan.shards.enumerated() {
                let load = ids.reduce(0.0) { sum, id in sum + units.first { $0.id == id }!.expectedMs }
                XCTAssertEqual(plan.expectedMs[shard], load, accuracy: 1e-9)
            }
        }
    }

    func testUnknownUnitsAreEstimatedLikeTheQueueDoes() {
        let estimator = DurationEstimator(history: [
            "slow/test_a.py": DurationStats(meanMs: 60_000), "slow/test_b.py": DurationStats(meanMs: 40_000),
            "fast/test_c.py": DurationStats(meanMs: 1_000),
        ])
        let units = ["slow/test_a.py", "slow/test_b.py", "fast/test_c.py", "slow/test_new.py", "fast/test_new.py"].map {
            DispatchUnit(id: $0)
        }
        let plan = StaticPlanner.plan(units, estimator: estimator, shards: 2)
        // slow/test_new.py is estimated at 50 s (its folder's median), so it goes second, before
        // test_b; fast/test_new.py at 1 s ties with test_c and follows it by id.
        XCTAssertEqual(plan.shards, [["slow/test_a.py", "fast/test_c.py", "fast/test_new.py"], ["slow/test_new.py", "slow/test_b.py"]])
        XCTAssertEqual(plan.expectedMs, [62_000, 90_000])
    }
}
