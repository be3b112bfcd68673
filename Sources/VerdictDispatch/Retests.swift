/// What happens to a unit after an attempt: a failure goes back to the queue (after the first
/// pass, preferably to another worker) while retests remain; a pass after a failure is flaky.
public enum Retests {
    public enum Verdict: Sendable, Equatable {
        /// Queue it again as attempt `attempt`.
        case retest(attempt: Int)
        case passed
        /// Failed at first, passed on a retest.
        case flaky
        /// Failed every attempt it was given.
        case failed
    }

    /// - Parameters:
    ///   - passed: this attempt's outcome.
    ///   - attempt: 0 for the first run, n for the n-th retest.
    ///   - retests: how many retests the run allows.
    public static func verdict(passed: Bool, attempt: Int, retests: Int) -> Verdict {
        if passed { return attempt == 0 ? .passed : .flaky }
        return attempt < retests ? .retest(attempt: attempt + 1) : .failed
    }

    /// Whether `worker` should leave a retest it already ran to another worker. It should when
    /// some other live worker that has not run it could take it (labels permitting); when the
    /// asking worker is the only one able to, taking it beats leaving it queued forever.
    public static func shouldDefer(
        ranBy previous: [String], labels: [String: String], asking worker: DispatchWorker, live: [DispatchWorker]
    ) -> Bool {
        guard previous.contains(worker.name) else { return false }
        return live.contains { other in
            other.name != worker.name && !previous.contains(other.name) && Labels.worker(other.labels, canTake: labels)
        }
    }
}
