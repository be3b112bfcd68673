/// The two numbers that shape batches (see `BatchPlanner`), with the values the benchmark
/// (`verdict-bench shard-sim`) was tuned with.
public struct DispatchPolicy: Sendable, Equatable {
    /// c in "batch ≈ pending work / (c · workers)". c = 1 is classic guided self-scheduling; a
    /// larger c hands out smaller batches, which keeps a batch that runs long (noise) from ending
    /// the run late, at the price of more pulls.
    public static let defaultBatchDivisor = 2.0
    /// A checkout costs a round trip (the simulator's default is 50 ms). A batch worth less than a
    /// few of them spends more time asking than testing, so batches never aim below this many
    /// pull latencies' worth of expected work.
    public static let minimumBatchInPulls = 10.0
    public static let defaultPullLatencyMs = 50.0

    public var batchDivisor: Double
    /// Smallest batch the planner aims for, in expected ms (a single longer unit is still one
    /// batch; the tail's last batch may be less because that is all there is).
    public var minimumBatchMs: Double

    public init(batchDivisor: Double = DispatchPolicy.defaultBatchDivisor, minimumBatchMs: Double) {
        self.batchDivisor = max(1, batchDivisor)
        self.minimumBatchMs = max(0, minimumBatchMs)
    }

    /// The policy for a checkout that takes `pullLatencyMs` from ask to answer.
    public init(batchDivisor: Double = DispatchPolicy.defaultBatchDivisor, pullLatencyMs: Double) {
        self.init(batchDivisor: batchDivisor, minimumBatchMs: pullLatencyMs * Self.minimumBatchInPulls)
    }

    public static let standard = DispatchPolicy(pullLatencyMs: defaultPullLatencyMs)
}
