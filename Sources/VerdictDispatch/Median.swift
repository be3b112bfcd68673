/// The median of a list of durations: the middle value, or the mean of the two middle ones.
/// A median, not a mean, because durations are heavy-tailed: one 200 s test in a folder of
/// 10 ms ones would make a mean estimate every newcomer at seconds.
enum Median {
    static func of(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
