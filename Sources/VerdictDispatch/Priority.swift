/// Longest expected first: units are handed out by mean + k·σ, so the ones that could run long
/// start early, while other workers can still absorb the slack, instead of ending the run late.
public enum Priority {
    /// k = 1: a unit whose spread is large is treated about one standard deviation longer than
    /// its mean. Larger k front-loads noisy units further but lets a noisy short unit jump ahead
    /// of a steady long one; 1 keeps the order mostly the mean's.
    public static let defaultK = 1.0

    public static func value(of estimate: DurationEstimate, k: Double = defaultK) -> Double {
        estimate.meanMs + k * estimate.sigmaMs
    }
}

/// One pending unit as the queue keeps it: what the planner and the SQL rows need.
public struct QueuedUnit: Sendable, Equatable {
    public var id: String
    /// 0 for the first pass; n for the n-th retest.
    public var attempt: Int
    public var meanMs: Double
    public var priority: Double

    public init(id: String, attempt: Int = 0, meanMs: Double, priority: Double) {
        self.id = id
        self.attempt = attempt
        self.meanMs = meanMs
        self.priority = priority
    }

    public init(id: String, attempt: Int = 0, estimate: DurationEstimate, k: Double = Priority.defaultK) {
        self.init(id: id, attempt: attempt, meanMs: estimate.meanMs, priority: Priority.value(of: estimate, k: k))
    }
}

/// The queue's order, the one the candidates handed to `BatchPlanner` must follow: first-pass
/// units before retests (failures go back "after the first pass", so a flaky test cannot delay
/// units that never ran), then priority descending, then id in UTF-8 byte order so every reader
/// sees the same order. In SQL: `ORDER BY attempt > 0, priority DESC, id COLLATE "C"`.
public enum QueueOrder {
    public static func precedes(_ a: QueuedUnit, _ b: QueuedUnit) -> Bool {
        let aRetest = a.attempt > 0
        let bRetest = b.attempt > 0
        if aRetest != bRetest { return !aRetest }
        if a.priority != b.priority { return a.priority > b.priority }
        return UnitPath.precedes(a.id, b.id)
    }

    public static func sorted(_ units: [QueuedUnit]) -> [QueuedUnit] { units.sorted(by: precedes) }
}
