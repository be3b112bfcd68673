import VerdictTestSupport
import XCTest

@testable import VerdictCLIKit

final class PlanTests: XCTestCase {
    func testLongestFirstToTheLeastLoadedShard() {
        let durations = Durations(milliseconds: ["a": 7, "b": 5, "c": 4, "d": 3, "e": 3, "f": 2])
        // a→1 (7); b→2 (5); c→2 (9); d→1 (10); e→2 (12); f→1 (12).
        let plan = OfflinePlan.plan(["f", "e", "d", "c", "b", "a"], durations: durations, shards: 2)
        XCTAssertEqual(plan.shards, [["a", "d", "f"], ["b", "c", "e"]])
        XCTAssertEqual(plan.expectedMs, [12, 12])
        XCTAssertEqual(plan.known, 6)
        XCTAssertEqual(OfflinePlan.plan(["a", "b"], durations: durations, shards: 4).shards, [["a"], ["b"], [], []])
    }

    func testThePlanIsTheSameWhateverTheInputOrderAndCoversEveryUnitOnce() {
        var generator = SeededRandom(seed: 42)
        var known: [String: Double] = [:]
        let units = (0..<500).map { "tests/dir_\($0 % 9)/file_\($0).py" }
        for unit in units where generator.next() % 4 != 0 { known[unit] = Double(generator.next() % 50) * 100 }
        let durations = Durations(milliseconds: known)
        let reference = OfflinePlan.plan(units, durations: durations, shards: 7)
        for _ in 0..<5 {
            XCTAssertEqual(OfflinePlan.plan(units.shuffled(using: &generator), durations: durations, shards: 7), reference)
        }
        XCTAssertEqual(reference.shards.flatMap { $0 }.sorted(), units.sorted())
        XCTAssertEqual(reference.known, known.count)
        XCTAssertLessThanOrEqual(
            reference.expectedMs.max()! - reference.expectedMs.min()!, 4_900, "LPT leaves at most one unit's worth between shards")
    }

    /// Units the file does not know cost what their folder's known units do (the dispatcher's
    /// estimate), so a new test among slow ones is not planned as quick.
    func testUnknownUnitsAreEstimatedFromTheirFolder() {
        let durations = Durations(milliseconds: ["slow/a.py": 10_000, "slow/b.py": 10_000, "fast/c.py": 10, "fast/d.py": 10])
        let plan = OfflinePlan.plan(["slow/a.py", "slow/b.py", "slow/new.py", "fast/c.py", "fast/d.py"], durations: durations, shards: 3)
        XCTAssertEqual(plan.known, 4)
        XCTAssertEqual(plan.shards, [["slow/a.py", "fast/c.py"], ["slow/b.py", "fast/d.py"], ["slow/new.py"]])
        XCTAssertEqual(
            OfflinePlan.plan(["x", "y", "z"], durations: nil, shards: 2).shards, [["x", "z"], ["y"]], "without durations, by count")
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

    func testThePlanCommandPrintsOneShardAndEveryShardTogetherCoversTheUnits() throws {
        let tree = try TemporaryTree([
            "tests/test_a.py": "", "tests/test_b.py": "", "tests/test_c.py": "", "tests/test_d.py": "",
            "durations.json": #"{"tests/test_a.py::t": 9, "tests/test_b.py::t": 1, "tests/test_c.py::t": 1}"#,
        ])
        let units = try UnitExpansion(root: tree.path).expand(["tests/*.py"]).units
        let plan = OfflinePlan.plan(units, durations: try PlanCommand.loadDurations(tree.path + "/durations.json"), shards: 2)
        XCTAssertEqual(plan.shards, [["tests/test_a.py"], ["tests/test_b.py", "tests/test_c.py", "tests/test_d.py"]])
    }
}
