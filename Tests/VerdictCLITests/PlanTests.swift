import XCTest

@testable import VerdictCLIKit

final class PlanTests: XCTestCase {
    let planner = LongestProcessingTimePlanner()

    func testLongestFirstToTheLeastLoadedShard() {
        let units = [("a", 7.0), ("b", 5.0), ("c", 4.0), ("d", 3.0), ("e", 3.0), ("f", 2.0)].map { PlanUnit(id: $0.0, estimatedMs: $0.1) }
        // a→1 (7); b→2 (5); c→2 (9); d→1 (10); e→2 (12); f→1 (12).
        XCTAssertEqual(planner.plan(units, shards: 2), [["a", "d", "f"], ["b", "c", "e"]])
        XCTAssertEqual(planner.plan(units, shards: 1), [["a", "b", "c", "d", "e", "f"]])
        XCTAssertEqual(planner.plan(Array(units.prefix(2)), shards: 4), [["a"], ["b"], [], []])
    }

    func testThePlanIsTheSameWhateverTheInputOrderAndCoversEveryUnitOnce() {
        var generator = SplitMix(seed: 42)
        let units = (0..<500).map { PlanUnit(id: "tests/file_\($0).py", estimatedMs: Double(generator.next() % 50) * 100) }
        let reference = planner.plan(units, shards: 7)
        for _ in 0..<5 {
            XCTAssertEqual(planner.plan(units.shuffled(using: &generator), shards: 7), reference)
        }
        XCTAssertEqual(reference.flatMap { $0 }.sorted(), units.map(\.id).sorted())
        let loads = reference.map { shard in shard.reduce(0.0) { sum, id in sum + units.first { $0.id == id }!.estimatedMs } }
        XCTAssertLessThanOrEqual(loads.max()! - loads.min()!, 4_900, "LPT leaves at most one unit's worth between shards")
    }

    func testPytestSplitDurationsSumToFilesAndDirectories() throws {
        let durations = try Durations.parse(
            Array(
                #"{"tests/api/test_a.py::test_1": 1.5, "tests/api/test_a.py::test_2": 0.5, "./tests/test_b.py::T::test": 3, "tests/api/test_c.py": 1}"#
                    .utf8))
        XCTAssertEqual(durations.count, 4)
        XCTAssertEqual(durations.milliseconds(of: "tests/api/test_a.py::test_1"), 1500)
        XCTAssertEqual(durations.milliseconds(of: "tests/api/test_a.py"), 2000)
        XCTAssertEqual(durations.milliseconds(of: "./tests/test_b.py"), 3000)
        XCTAssertEqual(durations.milliseconds(of: "tests/api"), 3000)
        XCTAssertEqual(durations.milliseconds(of: "tests/"), 6000)
        XCTAssertNil(durations.milliseconds(of: "tests/new_test.py"))
    }

    func testVerdictDurationsAndBadFiles() throws {
        let durations = try Durations.parse(
            Array(#"{"units":[{"id":"a.spec.ts","duration_ms":1200},{"id":"b.spec.ts","mean_ms":300.5}]}"#.utf8))
        XCTAssertEqual(durations.milliseconds(of: "a.spec.ts"), 1200)
        XCTAssertEqual(durations.milliseconds(of: "b.spec.ts"), 300.5)
        XCTAssertEqual(try Durations.parse(Array(#"[{"id":"x","duration_ms":5}]"#.utf8)).milliseconds(of: "x"), 5)
        XCTAssertThrowsError(try Durations.parse(Array("not json".utf8)))
        XCTAssertThrowsError(try Durations.parse(Array(#"{"a": "slow"}"#.utf8)))
        XCTAssertThrowsError(try Durations.parse(Array(#"{"units":[{"id":"x"}]}"#.utf8)))
    }

    func testUnknownUnitsTakeTheMedianOfTheKnown() throws {
        let durations = Durations(milliseconds: ["a": 100, "b": 300, "c": 1000])
        let (units, known) = DurationEstimates.units(["a", "b", "c", "new"], durations: durations)
        XCTAssertEqual(known, 3)
        XCTAssertEqual(units.last, PlanUnit(id: "new", estimatedMs: 300))
        XCTAssertEqual(DurationEstimates.units(["x", "y"], durations: nil).units.map(\.estimatedMs), [1000, 1000])
    }

    func testThePlanCommandPrintsOneShardAndEveryShardTogetherCoversTheUnits() throws {
        let tree = try TemporaryTree([
            "tests/test_a.py": "", "tests/test_b.py": "", "tests/test_c.py": "", "tests/test_d.py": "",
            "durations.json": #"{"tests/test_a.py::t": 9, "tests/test_b.py::t": 1, "tests/test_c.py::t": 1}"#,
        ])
        let units = try UnitExpansion(root: tree.path).expand(["tests/*.py"]).units
        let (planUnits, _) = DurationEstimates.units(units, durations: try PlanCommand.loadDurations(tree.path + "/durations.json"))
        let plan = PlanCommand.planner.plan(planUnits, shards: 2)
        XCTAssertEqual(plan, [["tests/test_a.py"], ["tests/test_b.py", "tests/test_c.py", "tests/test_d.py"]])
    }
}

/// A seeded generator, so the shuffles are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
