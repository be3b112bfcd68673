import VerdictInsights

/// Precision, recall and the confusion matrix of `flaky` calls against ground-truth labels.
public struct FlakyAccuracy: Sendable {
    /// confusion[truth][classification]
    public private(set) var confusion: [FlakyBenchmark.Truth: [FlakinessClassification: Int]] = [:]
    public private(set) var detectableFlaky = 0
    public private(set) var detectableFlakyFound = 0

    public init() {
        for truth in FlakyBenchmark.Truth.allCases {
            confusion[truth] = Dictionary(uniqueKeysWithValues: FlakinessClassification.allCases.map { ($0, 0) })
        }
    }

    public mutating func record(truth: FlakyBenchmark.Truth, detectable: Bool, classification: FlakinessClassification) {
        confusion[truth, default: [:]][classification, default: 0] += 1
        if truth == .flaky && detectable {
            detectableFlaky += 1
            if classification == .flaky { detectableFlakyFound += 1 }
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

    /// Of the flaky tests whose history holds visible evidence, the share called flaky.
    public var recallOfDetectable: Double {
        detectableFlaky == 0 ? 1 : Double(detectableFlakyFound) / Double(detectableFlaky)
    }
}
