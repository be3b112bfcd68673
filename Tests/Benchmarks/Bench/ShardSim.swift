#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import VerdictTestSupport
import VerdictDispatch
import VerdictJSON

/// `verdict-bench shard-sim`: Verdict's own dispatch module (`BatchPlanner` over the queue order
/// and estimates `VerdictDispatch` gives) run against a simulated clock, on a pytest-split
/// `.test_durations` file.
///
/// - The dispatcher knows only the recorded durations, as one run of history
///   (`DurationStats` with one sample per test; file units sum their tests with `FileUnits`).
/// - Each unit's real duration is recorded × lognormal noise, mean-preserving:
///   exp(σ·z − σ²/2) with z standard normal, so E[real] = recorded and the recorded figure is an
///   unbiased expectation. See `Noise` for the exact draw, which shard_compare.py repeats.
/// - All workers start at t = 0. A pull (checkout) costs the latency; the worker then runs its
///   batch's units one after another and pulls again. A pull that finds the queue empty ends the
///   worker; it is counted in `pulls` (every checkout call counts) but adds nothing to the
///   makespan, which is when the last unit finishes.
/// - The lower bound is per seed, on the realised durations: max(realised total / N, longest
///   realised unit), with no latency. ratio = realised makespan / that bound.
enum ShardSim {
    enum Granularity: String {
        case test, file
    }

    struct Settings {
        var path: String
        var workers: [Int]
        var sigma: Double
        var seeds: Int
        /// Seeds run are firstSeed ..< firstSeed + seeds (tuning used other seeds than the report's).
        var firstSeed: Int
        var latencyS: Double
        var granularity: Granularity
        /// How many queue rows a checkout hands the planner (the SQL side's LIMIT).
        var candidates: Int
        var policy: DispatchPolicy
        /// Prints every pull of this seed's runs to stderr, to see where a bad makespan came from.
        var traceSeed: Int?
    }

    static func run(_ options: Options) throws(BenchError) {
        guard let path = options.string("durations") else { throw BenchError("shard-sim needs --durations FILE") }
        var workers: [Int] = []
        for part in (options.string("workers") ?? "2,4,8,16,32").split(separator: ",") {
            guard let n = Int(part), n >= 1 else { throw BenchError("--workers takes whole numbers ≥ 1, e.g. 2,4,8") }
            workers.append(n)
        }
        let granularityName = options.string("granularity") ?? "test"
        guard let granularity = Granularity(rawValue: granularityName) else { throw BenchError("--granularity is test or file") }
        let latencyMs = try options.double("latency-ms", default: 50)
        let policy = DispatchPolicy(
            batchDivisor: try options.double("batch-divisor", default: DispatchPolicy.defaultBatchDivisor),
            minimumBatchMs: latencyMs * (try options.double("min-batch-pulls", default: DispatchPolicy.minimumBatchInPulls)),
            spreadWeight: try options.double("spread-weight", default: DispatchPolicy.defaultSpreadWeight))
        let settings = Settings(
            path: path, workers: workers, sigma: try options.double("sigma", default: 0.4),
            seeds: max(1, try options.int("seeds", default: 20)),
            firstSeed: try options.int("first-seed", default: 1),
            latencyS: latencyMs / 1000, granularity: granularity, candidates: max(1, try options.int("candidates", default: 1024)),
            policy: policy, traceSeed: options.string("trace-seed").flatMap { Int($0) })
        let suite = try Suite.load(settings.path, granularity: settings.granularity)
        for line in simulate(suite, settings) { Console.print(line) }
    }

    /// Per N, the figures over all seeds; one JSON line each.
    static func simulate(_ suite: Suite, _ settings: Settings) -> [String] {
        let queue = suite.queueOrder()
        var ratios = [[Double]](repeating: [], count: settings.workers.count)
        var pulls = [[Int]](repeating: [], count: settings.workers.count)
        var bounds = [[Double]](repeating: [], count: settings.workers.count)
        var makespans = [[Double]](repeating: [], count: settings.workers.count)
        for seed in settings.firstSeed..<(settings.firstSeed + settings.seeds) {
            let realised = Noise.realised(suite, sigma: settings.sigma, seed: UInt64(seed))
            let total = suite.noiseOrder.reduce(0.0) { $0 + realised[$1] }
            let longest = realised.max() ?? 0
            for (slot, n) in settings.workers.enumerated() {
                let run = Run(queue: queue, realised: realised, workers: n, settings: settings, trace: seed == settings.traceSeed)
                    .simulate()
                let bound = max(total / Double(n), longest)
                ratios[slot].append(run.makespan / bound)
                pulls[slot].append(run.pulls)
                bounds[slot].append(bound)
                makespans[slot].append(run.makespan)
            }
        }
        let name = settings.path.split(separator: "/").last.map(String.init) ?? settings.path
        return settings.workers.enumerated().map { slot, n in
            let count = Double(settings.seeds)
            let line: JSON = [
                "file": .string(name),
                "workers": .int(Int64(n)),
                "lower_bound_s": .double(bounds[slot].reduce(0, +) / count),
                "mean_ratio": .double(ratios[slot].reduce(0, +) / count),
                "worst_ratio": .double(ratios[slot].max() ?? 0),
                "pulls_mean": .double(Double(pulls[slot].reduce(0, +)) / count),
                "pulls_max": .int(Int64(pulls[slot].max() ?? 0)),
                "pull_budget": .double(3 * Double(n) * log2(Double(max(2, suite.ids.count)))),
                "makespan_mean_s": .double(makespans[slot].reduce(0, +) / count),
                "units": .int(Int64(suite.ids.count)),
                "granularity": .string(settings.granularity.rawValue),
                "sigma": .double(settings.sigma),
                "seeds": .int(Int64(settings.seeds)),
                "latency_ms": .double(settings.latencyS * 1000),
                "seed_lower_bounds_s": .array(bounds[slot].map { .double($0) }),
                "seed_ratios": .array(ratios[slot].map { .double($0) }),
            ]
            return line.text
        }
    }
}

/// The units of one durations file at the chosen granularity.
struct Suite {
    /// Unit ids, in the file's order.
    var ids: [String]
    /// Recorded duration of each unit, seconds.
    var recordedS: [Double]
    /// Unit indices in UTF-8 byte order of their ids: the order noise is drawn in, so it does not
    /// depend on how the file happens to be laid out.
    var noiseOrder: [Int]
    /// Per-test history as the dispatcher would have it after one recorded run.
    var testHistory: [String: DurationStats]
    var granularity: ShardSim.Granularity

    static func load(_ path: String, granularity: ShardSim.Granularity) throws(BenchError) -> Suite {
        let json: JSON
        do { json = try JSON.parse(try ExportCommand.readFile(path)) } catch { throw BenchError("\(path): \(error)") }
        guard let object = json.objectValue else { throw BenchError("\(path): not a pytest-split durations object") }
        var tests: [(id: String, seconds: Double)] = []
        tests.reserveCapacity(object.count)
        for (id, value) in object.pairs {
            guard let seconds = value.doubleValue, seconds.isFinite, seconds >= 0 else {
                throw BenchError("\(path): \(id) has no duration in seconds")
            }
            tests.append((id, seconds))
        }
        guard !tests.isEmpty else { throw BenchError("\(path): no tests") }
        var history: [String: DurationStats] = [:]
        for test in tests { history[test.id] = DurationStats(meanMs: test.seconds * 1000) }
        var ids: [String]
        var recorded: [Double]
        switch granularity {
        case .test:
            ids = tests.map(\.id)
            recorded = tests.map(\.seconds)
        case .file:
            let seconds = Dictionary(tests.map { ($0.id, $0.seconds) }, uniquingKeysWith: +)
            let files = FileUnits.group(tests.map(\.id))
            ids = files.map(\.file)
            recorded = files.map { $0.tests.reduce(0.0) { $0 + seconds[$1]! } }
        }
        let noiseOrder = ids.indices.sorted { UnitPath.precedes(ids[$0], ids[$1]) }
        return Suite(ids: ids, recordedS: recorded, noiseOrder: noiseOrder, testHistory: history, granularity: granularity)
    }

    /// The queue: unit indices in `QueueOrder` (longest expected first), with their estimates.
    func queueOrder() -> Queue {
        let history = granularity == .file ? FileUnits.history(fromTests: testHistory) : testHistory
        let estimator = DurationEstimator(history: history)
        let estimates = ids.map { estimator.estimate(id: $0) }
        let queued = ids.indices.map { QueuedUnit(id: ids[$0], estimate: estimates[$0]) }
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return Queue(
            order: QueueOrder.sorted(queued).map { position[$0.id]! }, expectedMs: estimates.map(\.meanMs),
            sigmaMs: estimates.map(\.sigmaMs))
    }
}

/// Units in queue order, and what the dispatcher expects of each (indexed by unit).
struct Queue {
    var order: [Int]
    var expectedMs: [Double]
    var sigmaMs: [Double]
}

/// Lognormal noise, drawn exactly as shard_compare.py draws it: for seed s, one SplitMix64
/// stream (`SeededRandom(seed: s)`); for each unit in `Suite.noiseOrder`, u1 and u2 from two
/// draws (53-bit fractions), z = √(−2·ln(1 − u1))·cos(2π·u2) (Box–Muller), and
/// factor = exp(σ·z − σ²/2), which keeps the mean (not the median) of each duration.
enum Noise {
    static func realised(_ suite: Suite, sigma: Double, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        var realised = [Double](repeating: 0, count: suite.ids.count)
        for index in suite.noiseOrder {
            let u1 = random.unit()
            let u2 = random.unit()
            let z = (-2.0 * log(1.0 - u1)).squareRoot() * cos(2.0 * Double.pi * u2)
            realised[index] = suite.recordedS[index] * exp(sigma * z - sigma * sigma / 2.0)
        }
        return realised
    }
}

/// One simulated run: N workers pulling batches from the queue on a simulated clock.
struct Run {
    let queue: Queue
    let realised: [Double]
    let workers: Int
    let settings: ShardSim.Settings
    let trace: Bool

    func simulate() -> (makespan: Double, pulls: Int) {
        let planner = BatchPlanner(policy: settings.policy.shared(by: workers))
        let live = (0..<workers).map { DispatchWorker(name: "worker-\($0)") }
        var pending = queue.order
        var head = 0
        var pendingMs = pending.reduce(0.0) { $0 + queue.expectedMs[$1] }
        var clock = WorkerClock(workers: workers)
        var pulls = 0
        var makespan = 0.0
        while let (now, worker) = clock.next() {
            pulls += 1
            guard head < pending.count else { continue }  // queue empty: this worker is done
            let window = pending[head..<min(head + settings.candidates, pending.count)]
            let expected = queue.expectedMs
            let sigma = queue.sigmaMs
            let batch = planner.plan(
                candidates: window.lazy.map { DispatchCandidate(expectedMs: expected[$0], sigmaMs: sigma[$0]) }, pendingMs: pendingMs,
                asking: live[worker], live: live)
            guard !batch.offsets.isEmpty else { continue }
            var finish = now + settings.latencyS
            for offset in batch.offsets {
                let unit = pending[head + offset]
                finish += realised[unit]
                pendingMs -= expected[unit]
            }
            pendingMs = max(0, pendingMs)
            if batch.offsets.last! == batch.offsets.count - 1 {
                head += batch.offsets.count  // the usual case: the head of the queue
            } else {
                let taken = Set(batch.offsets.map { head + $0 })
                pending = pending.indices.filter { $0 >= head && !taken.contains($0) }.map { pending[$0] }
                head = 0
            }
            makespan = max(makespan, finish)
            clock.schedule(worker, at: finish)
            if trace {
                let real = finish - now - settings.latencyS
                Console.error(
                    "N=\(workers) t=\(ParseCommand.fixed(now, 3)) worker=\(worker) units=\(batch.offsets.count) "
                        + "target_s=\(ParseCommand.fixed(batch.targetMs / 1000, 3)) expected_s=\(ParseCommand.fixed(batch.expectedMs / 1000, 3)) "
                        + "real_s=\(ParseCommand.fixed(real, 3)) ends=\(ParseCommand.fixed(finish, 3))")
            }
        }
        return (makespan, pulls)
    }
}

/// When each worker next pulls: a min-heap on (time, worker), so a run of 23,000 units costs
/// O(pulls · log N) clock work and ties go to the lower worker number (deterministic).
struct WorkerClock {
    private var heap: [(time: Double, worker: Int)]

    init(workers: Int) { heap = (0..<workers).map { (0, $0) } }

    private static func less(_ a: (time: Double, worker: Int), _ b: (time: Double, worker: Int)) -> Bool {
        a.time != b.time ? a.time < b.time : a.worker < b.worker
    }

    mutating func next() -> (Double, Int)? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var index = 0
            while true {
                let left = 2 * index + 1
                var smallest = index
                if left < heap.count, Self.less(heap[left], heap[smallest]) { smallest = left }
                if left + 1 < heap.count, Self.less(heap[left + 1], heap[smallest]) { smallest = left + 1 }
                if smallest == index { break }
                heap.swapAt(index, smallest)
                index = smallest
            }
        }
        return (top.time, top.worker)
    }

    mutating func schedule(_ worker: Int, at time: Double) {
        heap.append((time, worker))
        var index = heap.count - 1
        while index > 0 {
            let parent = (index - 1) / 2
            guard Self.less(heap[index], heap[parent]) else { break }
            heap.swapAt(index, parent)
            index = parent
        }
    }
}
