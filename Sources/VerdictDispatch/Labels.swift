/// Labels pin units to workers (`os=linux`, `gpu=a100`): a unit goes only to a worker whose labels
/// include every one of the unit's, key and value matched exactly (no wildcards, no case folding,
/// so a typo is reported as unplaceable instead of silently matching something).
public enum Labels {
    public static func worker(_ workerLabels: [String: String], canTake unitLabels: [String: String]) -> Bool {
        for (key, value) in unitLabels where workerLabels[key] != value { return false }
        return true
    }

    /// Indices of units that no registered worker can take: the run's status reports them rather
    /// than leaving the run waiting for a worker that will never come.
    public static func unplaceable(_ unitLabels: [[String: String]], registered workers: [DispatchWorker]) -> [Int] {
        unitLabels.indices.filter { index in
            !workers.contains { worker($0.labels, canTake: unitLabels[index]) }
        }
    }
}

/// A worker as the dispatcher sees it: its name (stable across its pulls) and its labels.
public struct DispatchWorker: Sendable, Equatable {
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }
}
