import VerdictInsights

/// A labelled benchmark for the flakiness classifier: seeded synthetic histories whose labels
/// come from how the generator made them (never from a classifier), shared by
/// `VerdictInsightsTests` and `verdict-bench flaky`.
///
/// The project runs `runs` CI runs. Each run tests a new commit, or re-runs the previous one
/// (`rerunRate`); some runs are infrastructure bursts where every test fails with the burst's
/// probability (85–100 %) on each attempt. Each test joins at some run (so histories have
/// varying lengths, short ones included), may be skipped now and then, may run with retries,
/// and behaves according to its scenario.
public enum FlakyBenchmark {
    public enum Truth: String, CaseIterable, Sendable {
        case flaky, broken, stable
    }

    public enum Scenario: Sendable, Equatable, CustomStringConvertible {
        /// Never fails on its own.
        case stable
        /// Each attempt fails independently with this probability, whatever the code.
        case flaky(rate: Double)
        /// Fails on every commit.
        case broken
        /// Fails 95 % of attempts: failing nearly always, broken by the requirement.
        case mostlyFailing
        /// Fails on every commit before one that fixes it.
        case fixedOnce
        /// Passes on every commit before one that breaks it for good.
        case regressedOnce
        /// Broken by one commit, fixed by a later one at least 3 runs on.
        case regressedThenFixed

        public var truth: Truth {
            switch self {
            case .flaky: .flaky
            case .broken, .mostlyFailing, .regressedOnce: .broken
            case .stable, .fixedOnce, .regressedThenFixed: .stable
            }
        }

        public var description: String {
            switch self {
            case .flaky(let rate): "flaky-\(Int((rate * 100).rounded()))%"
            case .stable: "stable"
            case .broken: "broken"
            case .mostlyFailing: "mostly-failing"
            case .fixedOnce: "fixed-once"
            case .regressedOnce: "regressed-once"
            case .regressedThenFixed: "regressed-then-fixed"
            }
        }

        static let flakyRates = [0.02, 0.05, 0.10, 0.20, 0.40]
    }

    public struct Configuration: Sendable {
        public var tests: Int
        public var runs = 200
        public var seed: UInt64
        /// Every test present in every run (the speed benchmark's 5,000 × 200).
        public var fullHistories = false
        public var burstRate = 0.04
        public var rerunRate = 0.15
        /// Share of tests run with retries (up to 3 attempts).
        public var retryShare = 0.3

        public init(tests: Int, seed: UInt64) {
            self.tests = tests
            self.seed = seed
        }
    }

    public struct Test: Sendable {
        public var scenario: Scenario
        public var truth: Truth { scenario.truth }
        /// For a flaky test: whether its usable results (not skipped, not in a burst run) hold
        /// evidence any method could see: a retry pass, a pass and a failure on one commit, or
        /// (with at least 5 usable results) a failure with passes before and after it. A flaky
        /// test that never failed, or whose only failures open or close its history, looks
        /// exactly like a stable, fixed or regressed one.
        public var detectable: Bool
        /// Whether any usable result (not skipped, not in a burst run) failed or needed a retry:
        /// a flaky test without one never showed its flakiness in this window.
        public var failedVisibly: Bool {
            zip(history, inBurst).contains { !$1 && ($0.outcome.isFailure || $0.outcome == .flaky) }
        }
        /// Oldest first.
        public var history: [FlakinessObservation]
        /// Per result: whether its run was an infrastructure burst (the generator's fact, which
        /// the classifier only sees through `runFailureFraction`).
        public var inBurst: [Bool]
    }

    public static func generate(_ configuration: Configuration) -> [Test] {
        precondition(configuration.runs >= 20, "a regression-then-fix needs room: at least 20 runs")
        var random = SeededRandom(seed: configuration.seed)
        let runs = makeRuns(configuration, &random)
        var tests: [Test] = []
        tests.reserveCapacity(configuration.tests)
        var runFailed = [Int](repeating: 0, count: runs.count)
        var runPresent = [Int](repeating: 0, count: runs.count)
        for _ in 0..<configuration.tests {
            let test = makeTest(configuration, runs, &random)
            let start = runs.count - test.history.count
            for (offset, observation) in test.history.enumerated() where observation.outcome != .skipped {
                runPresent[start + offset] += 1
                if observation.outcome.isFailure { runFailed[start + offset] += 1 }
            }
            tests.append(test)
        }
        // What the store knows about each run: how many of its tests ran and what share failed.
        for index in tests.indices {
            let start = runs.count - tests[index].history.count
            for offset in tests[index].history.indices {
                let run = start + offset
                tests[index].history[offset].runTestCount = Int32(runPresent[run])
                tests[index].history[offset].runFailureFraction =
                    runPresent[run] == 0 ? 0 : Double(runFailed[run]) / Double(runPresent[run])
            }
        }
        return tests
    }

    struct Run {
        var commit: Int
        /// Probability that an attempt fails for infrastructure reasons; 0 outside bursts.
        var burst: Double
        var at: Int64
    }

    private static func makeRuns(_ configuration: Configuration, _ random: inout SeededRandom) -> [Run] {
        var runs: [Run] = []
        var commit = 0
        for index in 0..<configuration.runs {
            if index > 0 && !random.chance(configuration.rerunRate) { commit += 1 }
            let burst = random.chance(configuration.burstRate) ? 0.85 + 0.15 * random.unit() : 0
            runs.append(Run(commit: commit, burst: burst, at: 1_700_000_000_000 + Int64(index) * 3_600_000))
        }
        return runs
    }

    private static func pickScenario(_ random: inout SeededRandom) -> Scenario {
        let draw = random.unit()
        switch draw {
        case ..<0.42: return .stable
        case ..<0.72: return .flaky(rate: random.pick(Scenario.flakyRates))
        case ..<0.77: return .broken
        case ..<0.80: return .mostlyFailing
        case ..<0.86: return .fixedOnce
        case ..<0.93: return .regressedOnce
        default: return .regressedThenFixed
        }
    }

    private static func makeTest(_ configuration: Configuration, _ runs: [Run], _ random: inout SeededRandom) -> Test {
        let scenario = pickScenario(&random)
        let total = runs.count
        // A regression that got fixed needs a pass before and after its block of at least 3
        // failing runs; histories too short for the block drawn are drawn again, so short ones
        // stay in proportion instead of piling up at one length.
        let blockLength = scenario == .regressedThenFixed ? random.int(3..<16) : 0
        var length: Int
        repeat {
            if configuration.fullHistories {
                length = total
            } else {
                let band = random.unit()
                length = band < 0.15 ? random.int(2..<10) : band < 0.40 ? random.int(10..<50) : random.int(50..<(total + 1))
            }
        } while length < blockLength + 2
        let start = total - length
        let maxAttempts = random.chance(configuration.retryShare) ? 3 : 1
        let skipRate = random.chance(0.1) ? 0.3 : 0
        // Deterministic scenarios fail on a range of commits.
        var failingCommits = 0..<0
        switch scenario {
        case .broken: failingCommits = 0..<Int.max
        case .fixedOnce: failingCommits = 0..<runs[random.int((start + 1)..<total)].commit
        case .regressedOnce: failingCommits = runs[random.int((start + 1)..<total)].commit..<Int.max
        case .regressedThenFixed:
            let first = random.int((start + 1)..<(total - blockLength))
            // Every run of the block fails: the fix lands after its last run's commit.
            failingCommits = runs[first].commit..<(runs[first + blockLength - 1].commit + 1)
        default: break
        }
        var history: [FlakinessObservation] = []
        history.reserveCapacity(length)
        for run in runs[start...] {
            if random.chance(skipRate) {
                history.append(FlakinessObservation(outcome: .skipped, commit: key(run), attempts: 1, at: run.at))
                continue
            }
            // An outage fails the retries too: a test it hits fails every attempt.
            let hitByBurst = run.burst > 0 && random.chance(run.burst)
            var attempt = 1
            var outcome = TestOutcome.failed
            while attempt <= maxAttempts {
                let fails: Bool
                if hitByBurst {
                    fails = true
                } else {
                    switch scenario {
                    case .stable: fails = false
                    case .flaky(let rate): fails = random.chance(rate)
                    case .mostlyFailing: fails = random.chance(0.95)
                    default: fails = failingCommits.contains(run.commit)
                    }
                }
                if !fails {
                    outcome = attempt == 1 ? .passed : .flaky
                    break
                }
                if attempt == maxAttempts { outcome = random.chance(0.2) ? .errored : .failed }
                attempt += 1
            }
            history.append(
                FlakinessObservation(outcome: outcome, commit: key(run), attempts: Int32(min(attempt, maxAttempts)), at: run.at))
        }
        return Test(
            scenario: scenario, detectable: isDetectable(history, runs[start...]), history: history,
            inBurst: runs[start...].map { $0.burst > 0 })
    }

    private static func key(_ run: Run) -> CommitKey { CommitKey(rawValue: UInt32(run.commit + 1)) }

    /// The generator's facts, not the classifier's reading: burst runs are known by construction.
    private static func isDetectable(_ history: [FlakinessObservation], _ runs: ArraySlice<Run>) -> Bool {
        var usable: [FlakinessObservation] = []
        for (observation, run) in zip(history, runs) where observation.outcome != .skipped && run.burst == 0 {
            usable.append(observation)
        }
        if usable.contains(where: { $0.outcome == .flaky }) { return true }
        var passingCommits = Set<CommitKey>()
        var failingCommits = Set<CommitKey>()
        for observation in usable {
            if observation.outcome.isFailure {
                failingCommits.insert(observation.commit)
            } else {
                passingCommits.insert(observation.commit)
            }
        }
        if !passingCommits.isDisjoint(with: failingCommits) { return true }
        guard usable.count >= 5, let firstPass = usable.firstIndex(where: \.outcome.isPass),
            let lastPass = usable.lastIndex(where: \.outcome.isPass)
        else { return false }
        return usable[firstPass..<lastPass].contains(where: \.outcome.isFailure)
    }
}
