/// One pending unit as the checkout hands it to the planner: a row of the queue.
public struct DispatchCandidate: Sendable, Equatable {
    /// The unit's expected duration (`DurationEstimate.meanMs`, the queue's `mean_ms`).
    public var expectedMs: Double
    /// Its spread (`DurationEstimate.sigmaMs`); 0 if unknown.
    public var sigmaMs: Double
    /// Labels a worker must carry to take it.
    public var labels: [String: String]
    /// Workers that already ran it (non-empty only for retests).
    public var ranBy: [String]

    public init(expectedMs: Double, sigmaMs: Double = 0, labels: [String: String] = [:], ranBy: [String] = []) {
        self.expectedMs = expectedMs
        self.sigmaMs = sigmaMs
        self.labels = labels
        self.ranBy = ranBy
    }
}

/// The planner's answer: which candidates the asking worker leases.
public struct DispatchBatch: Sendable, Equatable {
    /// Positions in the candidates passed in, ascending, each at most once.
    public var offsets: [Int]
    /// Their expected work, ms.
    public var expectedMs: Double
    /// What the planner aimed for, ms.
    public var targetMs: Double
    /// Retests passed over so another live worker gets them: if the batch is empty but this is
    /// non-zero, the worker should ask again later rather than finish.
    public var deferredRetests: Int
    /// The candidates ran out before the target was met. The batch is still valid; when the caller
    /// passed only a prefix of the queue it may fetch more and plan again, or accept a smaller
    /// batch (the worker then simply pulls again sooner).
    public var exhaustedCandidates: Bool
}

/// Guided self-scheduling in expected time, longest first.
///
/// Each checkout hands the asking worker the head of the queue up to about
/// `pending / (c · workers)` of expected work (never below `minimumBatchMs`, never less than one
/// unit), the batch measured with `spreadWeight` of its standard deviations on top. Early batches
/// are large, so thousands of tiny tests cost a few pulls; as the queue drains they shrink, so the
/// run ends on fine-grained work that evens the workers out. Since the queue is ordered longest
/// first, the long units are out of the way while there is still work to balance them against.
///
/// What the caller passes:
/// - `candidates`: a prefix of the pending queue in `QueueOrder` (e.g. the first thousand rows,
///   `FOR UPDATE SKIP LOCKED`, so concurrent checkouts never consider the same rows). Rows another
///   checkout holds are simply absent; that is fine.
/// - `pendingMs`: the expected work of *all* pending (unleased) units, not only the prefix: the
///   batch size depends on it, and a prefix would understate it.
/// - `live`: the workers currently live in the run (its count divides the work; the others decide
///   where retests go). The asking worker counts as live whether or not it is listed.
///
/// Pure and deterministic: the same inputs give the same batch.
public struct BatchPlanner: Sendable {
    public var policy: DispatchPolicy

    public init(policy: DispatchPolicy = .standard) { self.policy = policy }

    /// The batch size, in expected ms, for a worker asking now.
    public func targetMs(pendingMs: Double, liveWorkers: Int) -> Double {
        max(max(0, pendingMs) / (policy.batchDivisor * Double(max(1, liveWorkers))), policy.minimumBatchMs)
    }

    public func plan<Candidates: Collection<DispatchCandidate>>(
        candidates: Candidates, pendingMs: Double, asking worker: DispatchWorker, live: [DispatchWorker]
    ) -> DispatchBatch {
        let workers = live.count + (live.contains { $0.name == worker.name } ? 0 : 1)
        let target = targetMs(pendingMs: pendingMs, liveWorkers: workers)
        var offsets: [Int] = []
        var sum = 0.0
        var variance = 0.0
        var deferred = 0
        var offset = 0
        for candidate in candidates {
            defer { offset += 1 }
            guard Labels.worker(worker.labels, canTake: candidate.labels) else { continue }
            if !candidate.ranBy.isEmpty,
                Retests.shouldDefer(ranBy: candidate.ranBy, labels: candidate.labels, asking: worker, live: live)
            {
                deferred += 1
                continue
            }
            let expected = max(0, candidate.expectedMs)
            let spread = max(0, candidate.sigmaMs)
            // Stop at the unit that would overshoot the target by more than it would undershoot
            // without it. Later candidates are shorter, but skipping to them would break
            // longest-first and leave this one for the tail, where it hurts most. The batch is
            // measured pessimistically, `spreadWeight` standard deviations long: a few long units
            // can all run long together, thousands of short ones average out, so the former make
            // smaller batches than the latter for the same expected work.
            let pessimistic = sum + expected / 2 + policy.spreadWeight * (variance + spread * spread).squareRoot()
            if !offsets.isEmpty, pessimistic > target {
                return DispatchBatch(
                    offsets: offsets, expectedMs: sum, targetMs: target, deferredRetests: deferred, exhaustedCandidates: false)
            }
            offsets.append(offset)
            sum += expected
            variance += spread * spread
        }
        return DispatchBatch(offsets: offsets, expectedMs: sum, targetMs: target, deferredRetests: deferred, exhaustedCandidates: true)
    }
}
