/// A worker's labels as the command line gives them: `--label os=linux --label gpu=a100`, or
/// `VERDICT_LABELS=os=linux,gpu=a100` for a CI runner's environment.
public enum WorkerLabels {
    public static func parse(_ items: [String]) throws(UsageError) -> [String: String] {
        var labels: [String: String] = [:]
        for item in items {
            guard let equals = item.utf8.firstIndex(of: UInt8(ascii: "=")),
                case let key = String(item[..<equals]), !key.isEmpty
            else { throw UsageError("--label wants KEY=VALUE, not '\(item)'") }
            labels[key] = String(item[item.index(after: equals)...])
        }
        return labels
    }

    /// `a=1,b=2` into its items; blank items are left out.
    public static func split(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: true).map { String($0) }.filter { !$0.allSatisfy(\.isWhitespace) }
    }
}
