import XCTest

@testable import VerdictDispatch

final class PriorityTests: XCTestCase {
    func testPriorityIsMeanPlusKSigma() {
        let estimate = DurationEstimate(meanMs: 100, sigmaMs: 30, source: .history)
        XCTAssertEqual(Priority.value(of: estimate), 100 + Priority.defaultK * 30)
        XCTAssertEqual(Priority.value(of: estimate, k: 2), 160)
        XCTAssertEqual(QueuedUnit(id: "x", estimate: estimate, k: 0.5).priority, 115)
    }

    func testSpreadCanPutANoisyUnitAheadOfASteadyLongerOne() {
        let steady = QueuedUnit(id: "steady", estimate: DurationEstimate(meanMs: 100, sigmaMs: 0, source: .history))
        let noisy = QueuedUnit(id: "noisy", estimate: DurationEstimate(meanMs: 90, sigmaMs: 40, source: .history))
        XCTAssertEqual(QueueOrder.sorted([steady, noisy]).map(\.id), ["noisy", "steady"])
        let noisyAtK0 = QueuedUnit(id: "noisy", estimate: DurationEstimate(meanMs: 90, sigmaMs: 40, source: .history), k: 0)
        XCTAssertEqual(QueueOrder.sorted([noisyAtK0, steady]).map(\.id), ["steady", "noisy"])
    }

    func testLongestFirstThenFirstPassBeforeRetestsThenIdBytes() {
        let units = [
            QueuedUnit(id: "b", meanMs: 5, priority: 5), QueuedUnit(id: "retest-long", attempt: 1, meanMs: 900, priority: 900),
            QueuedUnit(id: "a", meanMs: 5, priority: 5), QueuedUnit(id: "long", meanMs: 50, priority: 50),
            QueuedUnit(id: "Z", meanMs: 5, priority: 5), QueuedUnit(id: "retest-short", attempt: 2, meanMs: 1, priority: 1),
            QueuedUnit(id: "é", meanMs: 5, priority: 5), QueuedUnit(id: "e\u{301}", meanMs: 5, priority: 5),
        ]
        // "é" (U+00E9, bytes C3 A9) and "e"+U+0301 (65 CC 81) are equal as Swift Strings but not
        // as bytes: byte order keeps them apart and in a fixed order, as COLLATE "C" would.
        XCTAssertEqual(
            QueueOrder.sorted(units).map(\.id), ["long", "Z", "a", "b", "e\u{301}", "é", "retest-long", "retest-short"])
        XCTAssertEqual(QueueOrder.sorted(units.reversed()).map(\.id), QueueOrder.sorted(units).map(\.id), "input order does not matter")
    }

    func testRetestVerdicts() {
        XCTAssertEqual(Retests.verdict(passed: true, attempt: 0, retests: 2), .passed)
        XCTAssertEqual(Retests.verdict(passed: false, attempt: 0, retests: 2), .retest(attempt: 1))
        XCTAssertEqual(Retests.verdict(passed: false, attempt: 1, retests: 2), .retest(attempt: 2))
        XCTAssertEqual(Retests.verdict(passed: false, attempt: 2, retests: 2), .failed)
        XCTAssertEqual(Retests.verdict(passed: true, attempt: 2, retests: 2), .flaky)
        XCTAssertEqual(Retests.verdict(passed: false, attempt: 0, retests: 0), .failed, "no retests allowed")
    }

    func testLabelsMatchKeyAndValueExactly() {
        let worker = ["os": "linux", "gpu": "a100", "arch": "x86_64"]
        XCTAssertTrue(Labels.worker(worker, canTake: [:]))
        XCTAssertTrue(Labels.worker(worker, canTake: ["os": "linux", "gpu": "a100"]))
        XCTAssertFalse(Labels.worker(worker, canTake: ["os": "Linux"]), "values are case-sensitive")
        XCTAssertFalse(Labels.worker(worker, canTake: ["OS": "linux"]), "keys are case-sensitive")
        XCTAssertFalse(Labels.worker(worker, canTake: ["os": "linux", "tpu": "v4"]), "every unit label is needed")
        XCTAssertFalse(Labels.worker([:], canTake: ["os": "linux"]))
        let workers = [
            DispatchWorker(name: "l", labels: ["os": "linux"]), DispatchWorker(name: "m", labels: ["os": "macos", "gpu": "m2"]),
        ]
        XCTAssertEqual(
            Labels.unplaceable(
                [[:], ["os": "macos", "gpu": "m2"], ["os": "windows"], ["os": "linux", "gpu": "m2"]], registered: workers), [2, 3])
        XCTAssertEqual(Labels.unplaceable([[:]], registered: []), [0], "nobody registered: nothing can be placed")
    }
}
