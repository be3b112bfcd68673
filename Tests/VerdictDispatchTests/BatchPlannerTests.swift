import VerdictTestSupport
import XCTest

@testable import VerdictDispatch

final class BatchPlannerTests: XCTestCase {
    let alice = DispatchWorker(name: "alice")
    let bob = DispatchWorker(name: "bob")

    func candidates(_ expected: [Double]) -> [DispatchCandidate] { expected.map { DispatchCandidate(expectedMs: $0) } }

    func testTargetIsPendingWorkOverCWorkersWithAFloor() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 2, minimumBatchMs: 500))
        XCTAssertEqual(planner.targetMs(pendingMs: 80_000, liveWorkers: 4), 10_000)
        XCTAssertEqual(planner.targetMs(pendingMs: 1_000, liveWorkers: 4), 500, "never below the floor")
        XCTAssertEqual(planner.targetMs(pendingMs: 80_000, liveWorkers: 0), 40_000, "the asking worker is live")
        XCTAssertEqual(DispatchPolicy(pullLatencyMs: 50).minimumBatchMs, 50 * DispatchPolicy.minimumBatchInPulls)
    }

    func testTakesTheHeadUpToTheTarget() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0))
        // pending 100 over 2 workers: target 50. 30 + 15 = 45; +10 would end at 55, 5 over (less than
        // half of 10), so it is taken; +5 would pass the target by more than half of itself.
        let batch = planner.plan(candidates: candidates([30, 15, 10, 5, 5]), pendingMs: 100, asking: alice, live: [alice, bob])
        XCTAssertEqual(batch.offsets, [0, 1, 2])
        XCTAssertEqual(batch.expectedMs, 55)
        XCTAssertEqual(batch.targetMs, 50)
        XCTAssertFalse(batch.exhaustedCandidates)
    }

    func testALongUnitIsABatchOfItsOwn() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 2, minimumBatchMs: 0))
        let batch = planner.plan(candidates: candidates([221_000, 35_000, 1, 1]), pendingMs: 530_000, asking: alice, live: [alice, bob])
        XCTAssertEqual(batch.offsets, [0], "longer than the target, yet at least one unit")
    }

    func testSpreadKeepsLongNoisyUnitsApartButNotManySmallOnes() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0, spreadWeight: 2))
        // Target 100. Two 40 s units with σ 10 each: 40 + 20 + 2·√200 ≈ 88 fits; a third would
        // measure 80 + 20 + 2·√300 ≈ 135 and does not.
        let long = (0..<5).map { _ in DispatchCandidate(expectedMs: 40, sigmaMs: 10) }
        XCTAssertEqual(planner.plan(candidates: long, pendingMs: 200, asking: alice, live: [alice, bob]).offsets, [0, 1])
        // σ 25 each: 40 + 20 + 2·√1250 ≈ 131 does not fit: the second stays for someone else.
        let noisy = (0..<5).map { _ in DispatchCandidate(expectedMs: 40, sigmaMs: 25) }
        XCTAssertEqual(planner.plan(candidates: noisy, pendingMs: 200, asking: alice, live: [alice, bob]).offsets, [0])
        // The same 100 of expected work in 1,000 units of 0.1 ± 0.05: √Σσ² is 1.6, so nearly all
        // of the target is handed out at once.
        let many = (0..<2_000).map { _ in DispatchCandidate(expectedMs: 0.1, sigmaMs: 0.05) }
        let batch = planner.plan(candidates: many, pendingMs: 200, asking: alice, live: [alice, bob])
        XCTAssertGreaterThan(batch.offsets.count, 950)
        XCTAssertLessThanOrEqual(batch.offsets.count, 1_000)
        XCTAssertEqual(
            BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0, spreadWeight: 0))
                .plan(candidates: noisy, pendingMs: 200, asking: alice, live: [alice, bob]).offsets, [0, 1, 2],
            "no spread weight: 120 ≈ 100")
    }

    func testTheAskingWorkerCountsAsLiveEvenIfNotListed() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0, spreadWeight: 0))
        let listed = planner.plan(candidates: candidates([10, 10, 10, 10]), pendingMs: 40, asking: alice, live: [alice, bob])
        let unlisted = planner.plan(candidates: candidates([10, 10, 10, 10]), pendingMs: 40, asking: alice, live: [bob])
        XCTAssertEqual(listed.targetMs, 20)
        XCTAssertEqual(unlisted, listed)
    }

    func testBatchesShrinkAsTheQueueDrains() {
        // 4 workers pulling in turn from 4,000 tests of 10–60 ms, longest first.
        var queue = (0..<4_000).map { Double(10 + ($0 * 7919) % 51) }.sorted(by: >)
        let workers = (0..<4).map { DispatchWorker(name: "w\($0)") }
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 2, minimumBatchMs: 100))
        var sizes: [Int] = []
        var targets: [Double] = []
        var pulls = 0
        while !queue.isEmpty {
            let batch = planner.plan(
                candidates: candidates(queue), pendingMs: queue.reduce(0, +), asking: workers[pulls % 4], live: workers)
            XCTAssertFalse(batch.offsets.isEmpty)
            XCTAssertEqual(batch.offsets, Array(0..<batch.offsets.count), "no labels, no retests: the head of the queue")
            sizes.append(batch.offsets.count)
            targets.append(batch.targetMs)
            queue.removeFirst(batch.offsets.count)
            pulls += 1
        }
        XCTAssertEqual(targets, targets.sorted(by: >), "the target never grows while the queue drains")
        XCTAssertGreaterThan(sizes[0], 10 * sizes[sizes.count - 1], "coarse first, fine at the tail")
        XCTAssertLessThanOrEqual(pulls, 60, "a few pulls for thousands of small tests (got \(pulls))")
        XCTAssertLessThanOrEqual(targets.last!, 100 + 1e-9)
    }

    func testLabelsLimitWhatAWorkerTakes() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0))
        let gpuWorker = DispatchWorker(name: "g", labels: ["gpu": "a100", "os": "linux"])
        let plain = DispatchWorker(name: "p", labels: ["os": "linux"])
        let queue = [
            DispatchCandidate(expectedMs: 40, labels: ["gpu": "a100"]), DispatchCandidate(expectedMs: 30),
            DispatchCandidate(expectedMs: 20, labels: ["os": "linux"]), DispatchCandidate(expectedMs: 10, labels: ["os": "macos"]),
        ]
        let forPlain = planner.plan(candidates: queue, pendingMs: 200, asking: plain, live: [plain, gpuWorker])
        XCTAssertEqual(forPlain.offsets, [1, 2], "the GPU unit and the macOS unit are not the plain worker's")
        let forGPU = planner.plan(candidates: queue, pendingMs: 200, asking: gpuWorker, live: [plain, gpuWorker])
        XCTAssertEqual(forGPU.offsets, [0, 1, 2])
        let mac = DispatchWorker(name: "m", labels: ["os": "macos"])
        let nothing = planner.plan(candidates: Array(queue.prefix(1)), pendingMs: 40, asking: mac, live: [mac])
        XCTAssertEqual(nothing.offsets, [])
        XCTAssertTrue(nothing.exhaustedCandidates)
    }

    func testRetestGoesToAnotherWorkerWhenOneCanTakeIt() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0))
        let queue = [DispatchCandidate(expectedMs: 50, ranBy: ["alice"]), DispatchCandidate(expectedMs: 10)]
        let forAlice = planner.plan(candidates: queue, pendingMs: 60, asking: alice, live: [alice, bob])
        XCTAssertEqual(forAlice.offsets, [1], "alice ran it; bob has not")
        XCTAssertEqual(forAlice.deferredRetests, 1)
        XCTAssertEqual(planner.plan(candidates: queue, pendingMs: 60, asking: bob, live: [alice, bob]).offsets, [0])
        let alone = planner.plan(candidates: queue, pendingMs: 60, asking: alice, live: [alice])
        XCTAssertEqual(alone.offsets, [0, 1], "the only live worker takes its own retest rather than leave it queued")
        XCTAssertEqual(alone.deferredRetests, 0)
        let bothRan = [DispatchCandidate(expectedMs: 50, ranBy: ["alice", "bob"])]
        XCTAssertEqual(planner.plan(candidates: bothRan, pendingMs: 50, asking: alice, live: [alice, bob]).offsets, [0])
    }

    func testRetestPlacementRespectsTheOtherWorkersLabels() {
        let gpu = DispatchWorker(name: "gpu-1", labels: ["gpu": "a100"])
        let cpu = DispatchWorker(name: "cpu-1")
        let retest = DispatchCandidate(expectedMs: 50, labels: ["gpu": "a100"], ranBy: ["gpu-1"])
        XCTAssertFalse(
            Retests.shouldDefer(ranBy: retest.ranBy, labels: retest.labels, asking: gpu, live: [gpu, cpu]), "cpu-1 cannot take it")
        let gpu2 = DispatchWorker(name: "gpu-2", labels: ["gpu": "a100"])
        XCTAssertTrue(Retests.shouldDefer(ranBy: retest.ranBy, labels: retest.labels, asking: gpu, live: [gpu, cpu, gpu2]))
        XCTAssertFalse(Retests.shouldDefer(ranBy: retest.ranBy, labels: retest.labels, asking: gpu2, live: [gpu, cpu, gpu2]))
    }

    func testWorksOnAPrefixOfTheQueue() {
        let planner = BatchPlanner(policy: DispatchPolicy(batchDivisor: 1, minimumBatchMs: 0))
        // The caller passed 3 rows of a queue whose pending total is 1,000: the target (500) is
        // beyond them, so it gets all three and learns that more rows would have been taken.
        let batch = planner.plan(candidates: candidates([100, 100, 100]), pendingMs: 1_000, asking: alice, live: [alice, bob])
        XCTAssertEqual(batch.offsets, [0, 1, 2])
        XCTAssertTrue(batch.exhaustedCandidates)
        XCTAssertEqual(batch.targetMs, 500)
        // A lazy window over a longer array works the same, offsets relative to the window.
        let rows = candidates([900, 80, 70, 60, 50, 40])
        let window = rows[2...].lazy.map { $0 }
        // Target 150: 70 + 60 = 130; 50 more would pass it by 30, more than half of 50.
        XCTAssertEqual(planner.plan(candidates: window, pendingMs: 300, asking: alice, live: [alice, bob]).offsets, [0, 1])
    }

    /// Random queues, labels, retests and workers: a batch never names a candidate twice, never
    /// one out of range, never one the worker may not take, and is empty only when nothing was
    /// left for this worker.
    func testPropertyOffsetsAreUniqueInRangeAndEligible() {
        var random = SeededRandom(seed: 42)
        let labelValues = ["linux", "macos"]
        for round in 0..<2_000 {
            let workers = (0..<random.int(1..<6)).map { index in
                DispatchWorker(name: "w\(index)", labels: random.int(0..<3) == 0 ? [:] : ["os": labelValues[random.int(0..<2)]])
            }
            let asking = workers[random.int(0..<workers.count)]
            let count = random.int(0..<40)
            let queue = (0..<count).map { _ in
                DispatchCandidate(
                    expectedMs: Double(random.int(0..<10_000)) / Double(1 + random.int(0..<4)),
                    labels: random.int(0..<4) == 0 ? ["os": labelValues[random.int(0..<2)]] : [:],
                    ranBy: random.int(0..<5) == 0 ? workers.filter { _ in random.int(0..<2) == 0 }.map(\.name) : [])
            }.sorted { $0.expectedMs > $1.expectedMs }
            let pending = queue.reduce(0) { $0 + $1.expectedMs } * (1 + Double(random.int(0..<3)))
            let planner = BatchPlanner(
                policy: DispatchPolicy(batchDivisor: 1 + Double(random.int(0..<4)), minimumBatchMs: Double(random.int(0..<2_000))))
            let batch = planner.plan(candidates: queue, pendingMs: pending, asking: asking, live: workers)
            XCTAssertEqual(Set(batch.offsets).count, batch.offsets.count, "round \(round): a unit twice")
            XCTAssertEqual(batch.offsets, batch.offsets.sorted(), "round \(round)")
            XCTAssertTrue(batch.offsets.allSatisfy { queue.indices.contains($0) }, "round \(round): out of range")
            for offset in batch.offsets {
                XCTAssertTrue(Labels.worker(asking.labels, canTake: queue[offset].labels), "round \(round): labels")
                XCTAssertFalse(
                    Retests.shouldDefer(ranBy: queue[offset].ranBy, labels: queue[offset].labels, asking: asking, live: workers),
                    "round \(round): a retest another worker should have had")
            }
            XCTAssertEqual(batch.expectedMs, batch.offsets.reduce(0) { $0 + queue[$1].expectedMs }, accuracy: 1e-6)
            let takeable = queue.contains {
                Labels.worker(asking.labels, canTake: $0.labels)
                    && !Retests.shouldDefer(ranBy: $0.ranBy, labels: $0.labels, asking: asking, live: workers)
            }
            XCTAssertEqual(batch.offsets.isEmpty, !takeable, "round \(round): empty iff nothing is this worker's to take")
        }
    }
}

final class SharedPolicyTests: XCTestCase {
    func testManyWorkersRaiseTheSmallestBatchSoTheirPullsStayBounded() {
        let standard = DispatchPolicy.standard
        XCTAssertEqual(standard.shared(by: 8), standard, "small runs keep the tuned floor")
        XCTAssertEqual(standard.shared(by: 62).minimumBatchMs, 500)
        XCTAssertEqual(standard.shared(by: 100).minimumBatchMs, 800)
        XCTAssertEqual(standard.shared(by: 200).minimumBatchMs, 1_600)
        // At the tail, 200 workers pulling 50 ms units take 32 of them each rather than 10.
        let units = Array(repeating: DispatchCandidate(expectedMs: 50), count: 100)
        let worker = DispatchWorker(name: "w")
        XCTAssertEqual(
            BatchPlanner(policy: standard).plan(candidates: units, pendingMs: 500, asking: worker, live: [worker]).offsets.count, 10)
        XCTAssertEqual(
            BatchPlanner(policy: standard.shared(by: 200)).plan(candidates: units, pendingMs: 500, asking: worker, live: [worker]).offsets
                .count, 32)
    }
}
