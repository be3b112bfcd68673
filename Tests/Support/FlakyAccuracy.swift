import VerdictInsights

/// Precision, recall and the confusion matrix of `flaky` calls against ground-truth labels.
public struct FlakyAccuracy: Sendable {
    /// confusion[truth][classification]
    public private(set) var confusion: [FlakyBenchmark.Truth: [FlakinessClassification: Int]] = [:]
    public private(set) var detectableFlaky = 0
    public private(set) var detectableFlakyFound = 0
    public private(set) var visiblyFailingFlaky = 0
    public private(set) var visiblyFailingFlakyFound = 0

    public init() {
        for truth in FlakyBenchmark.Truth.allCases {
            confusion[truth] = Dictionary(uniqueKeysWithValues: FlakinessClassification.allCases.map { ($0, 0) })
        }
    }

    /// `failedVisibly`: the flaky test failed (or needed a retry) at least once where it counts.
    public mutating func record(
        truth: FlakyBenchmark.Truth, detectable: Bool, failedVisibly: Bool, classification: FlakinessClassification
    ) {
        confusion[truth, default: [:]][classification, default: 0] += 1
        guard truth == .flaky else { return }
        if detectable {
            detectableFlaky += 1
            if classification == .flaky { detectableFlakyFound += 1 }
        }
        if failedVisibly {
            visiblyFailingFlaky += 1
            if classification == .flaky { visiblyFailingFlakyFound += 1 }
        }
    }

    public func count(_ truth: FlakyBenchmark.Truth, _ classification: FlakinessClassification) -> Int {
        confusion[truth]?[classification] ?? 0
    }

    public var total: Int { confusion.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    /// Of the tests called flaky, the share that are.
    public var precision: Double {
        let called = FlakyBenchmark.Truth.allCases.reduce(0) { $0 + count($1, .flaky) }
        return called == 0 ? 1 : Double(count(.flaky, .flaky)) / Double(called)
    }

    /// Of all flaky tests, the share called flaky.
    public var recall: Double {
        let flaky = FlakinessClassification.allCases.reduce(0) { $0 + count(.flaky, $1) }
        return flaky == 0 ? 1 : Double(count(.flaky, .flaky)) / Double(flaky)
    }

    /// Of the flaky tests that failed at least once in their usable results, the share called
    /// flaky (a failure at the very start or end of a history is no evidence of flakiness yet).
    public var recallOfVisiblyFailing: Double {
        visiblyFailingFlaky == 0 ? 1 : Double(visiblyFailingFlakyFound) / Double(visiblyFailingFlaky)
    }

    /// Of the flaky tests whose history holds visible evidence, the share called flaky.
    public var recallOfDetectable: Double {
        detectableFlaky == 0 ? 1 : Double(detectableFlakyFound) / Double(detectableFlaky)
    }
}
