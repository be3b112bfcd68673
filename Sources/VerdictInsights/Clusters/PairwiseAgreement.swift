/// Pairwise precision and recall of a clustering against reference labels: over every pair of
/// items, "predicted together" against "labelled together". It weighs a large cluster by its
/// pairs, as a reader of a run page feels it: one wrong merge of two big groups is worse than a
/// stray singleton.
public struct PairwiseAgreement: Sendable, Equatable {
    public let pairs: Int
    /// Pairs both together: true positives.
    public let together: Int
    public let predictedTogether: Int
    public let labelledTogether: Int

    /// Of the pairs clustered together, the share labelled together (1 when none are).
    public var precision: Double { predictedTogether == 0 ? 1 : Double(together) / Double(predictedTogether) }
    /// Of the pairs labelled together, the share clustered together (1 when none are).
    public var recall: Double { labelledTogether == 0 ? 1 : Double(together) / Double(labelledTogether) }

    /// `predicted[i]` and `labels[i]` are item i's cluster and label (any hashable values).
    /// Counts pairs through the contingency table, so it is linear in the items, not quadratic.
    public init<P: Hashable, L: Hashable>(predicted: [P], labels: [L]) {
        precondition(predicted.count == labels.count, "one prediction per label")
        func pairs(_ n: Int) -> Int { n * (n - 1) / 2 }
        var byPrediction: [P: Int] = [:]
        var byLabel: [L: Int] = [:]
        var byBoth: [Pair<P, L>: Int] = [:]
        for (p, l) in zip(predicted, labels) {
            byPrediction[p, default: 0] += 1
            byLabel[l, default: 0] += 1
            byBoth[Pair(p, l), default: 0] += 1
        }
        self.pairs = pairs(predicted.count)
        together = byBoth.values.reduce(0) { $0 + pairs($1) }
        predictedTogether = byPrediction.values.reduce(0) { $0 + pairs($1) }
        labelledTogether = byLabel.values.reduce(0) { $0 + pairs($1) }
    }

    private struct Pair<A: Hashable, B: Hashable>: Hashable {
        let a: A
        let b: B
        init(_ a: A, _ b: B) {
            self.a = a
            self.b = b
        }
    }
}
