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

/// Labels a unit needs, as `--unit-label 'GLOB:KEY=VALUE'` gives them: every unit the glob
/// matches goes only to workers labelled KEY=VALUE (`--unit-label 'tests/gpu/**:gpu=true'`).
/// Several rules may label one unit; a later rule's value for the same key wins.
public struct UnitLabelRules: Sendable {
    struct Rule: Sendable {
        var globs: [Glob]
        var key: String
        var value: String
    }

    private var rules: [Rule] = []

    public init(_ items: [String]) throws(UsageError) {
        for item in items {
            // The glob may hold ':' (a Windows drive, a pytest id), so the last one splits.
            guard let colon = item.utf8.lastIndex(of: UInt8(ascii: ":")),
                case let pattern = String(item[..<colon]), !pattern.isEmpty,
                case let label = String(item[item.index(after: colon)...]),
                let equals = label.utf8.firstIndex(of: UInt8(ascii: "=")),
                case let key = String(label[..<equals]), !key.isEmpty
            else { throw UsageError("--unit-label wants GLOB:KEY=VALUE, not '\(item)'") }
            rules.append(Rule(globs: Glob.compile(pattern), key: key, value: String(label[label.index(after: equals)...])))
        }
    }

    public var isEmpty: Bool { rules.isEmpty }

    public func labels(of unit: String) -> [String: String] {
        var labels: [String: String] = [:]
        for rule in rules where rule.globs.contains(where: { $0.matches(unit) }) { labels[rule.key] = rule.value }
        return labels
    }
}
