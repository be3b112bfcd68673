import VerdictInsights

/// Histories written the way one reads them, oldest first, one token per run:
/// `P` passed, `F` failed, `E` errored, `R` passed on a retry, `S` skipped; digits after the
/// letter name the commit (none: unknown); a trailing `!` puts the result in an infrastructure
/// burst (95 % of a 100-test run failed). `at` is the token's index × 1000.
func history(_ text: String) -> [FlakinessObservation] {
    text.split(separator: " ").enumerated().map { index, token in
        var token = Substring(token)
        let burst = token.hasSuffix("!")
        if burst { token = token.dropLast() }
        let outcome: TestOutcome =
            switch token.first {
            case "P": .passed
            case "F": .failed
            case "E": .errored
            case "R": .flaky
            case "S": .skipped
            default: preconditionFailure("unknown token \(token)")
            }
        let commit = UInt32(token.dropFirst()).map { CommitKey(rawValue: $0) } ?? .unknown
        return FlakinessObservation(
            outcome: outcome, commit: commit, runFailureFraction: burst ? 0.95 : 0.02, runTestCount: 100,
            attempts: outcome == .flaky ? 2 : 1, at: Int64(index) * 1000)
    }
}

/// `count` copies of a token, each on its own commit numbered from `firstCommit`.
func runs(_ letter: Character, _ count: Int, firstCommit: Int) -> String {
    (0..<count).map { "\(letter)\(firstCommit + $0)" }.joined(separator: " ")
}
