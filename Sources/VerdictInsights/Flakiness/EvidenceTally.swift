/// Counts a history's evidence in one pass, plus a sort of the failing tests' commits to find
/// contradictions: no allocation per observation, nothing quadratic.
enum EvidenceTally {
    static func count(_ history: UnsafeBufferPointer<FlakinessObservation>, _ parameters: FlakinessParameters)
        -> FlakinessEvidence
    {
        var evidence = FlakinessEvidence()
        var previousFailed: Bool?
        var knownCommitResults = 0
        var previousAt = Int64.min
        for observation in history {
            assert(observation.at >= previousAt, "a history is passed oldest first")
            previousAt = observation.at
            if observation.outcome == .skipped {
                evidence.skipped += 1
                continue
            }
            if isBurst(observation, parameters) {
                evidence.excludedBurstRuns += 1
                continue
            }
            let failed = observation.outcome.isFailure
            evidence.runs += 1
            if failed {
                evidence.failures += 1
                evidence.trailingFailures += 1
            } else {
                evidence.trailingFailures = 0
            }
            if observation.outcome == .flaky { evidence.retryPasses += 1 }
            evidence.trailingCleanRuns = observation.outcome == .passed ? evidence.trailingCleanRuns + 1 : 0
            if let previousFailed, previousFailed != failed { evidence.flips += 1 }
            previousFailed = failed
            evidence.lastSeen = observation.at
            if observation.commit != .unknown { knownCommitResults += 1 }
        }
        // Only a test that both passed and failed can contradict itself on a commit.
        if evidence.failures > 0 && evidence.passes > 0 && knownCommitResults > 1 {
            evidence.sameCommitContradictions = contradictions(history, knownCommitResults, parameters)
        }
        return evidence
    }

    static func isBurst(_ observation: FlakinessObservation, _ parameters: FlakinessParameters) -> Bool {
        observation.runFailureFraction > parameters.burstFailureFraction
            && (observation.runTestCount == 0 || observation.runTestCount >= parameters.burstMinimumRunTests)
    }

    /// Commits with both a pass and a failure among the contributing results: each result is
    /// packed as commit << 1 | failed, sorted, and each commit's run of keys checked for both bits.
    private static func contradictions(
        _ history: UnsafeBufferPointer<FlakinessObservation>, _ count: Int, _ parameters: FlakinessParameters
    ) -> Int {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { keys in
            var filled = 0
            for observation in history where observation.outcome != .skipped && observation.commit != .unknown {
                if isBurst(observation, parameters) { continue }
                keys[filled] = UInt64(observation.commit.rawValue) << 1 | (observation.outcome.isFailure ? 1 : 0)
                filled += 1
            }
            var packed = UnsafeMutableBufferPointer(rebasing: keys[0..<filled])
            packed.sort()
            var found = 0
            var index = 1
            while index < filled {
                // Sorted, a commit's pass (bit 0) comes right before its failure (bit 1).
                if packed[index] == packed[index - 1] | 1 && packed[index - 1] & 1 == 0 {
                    found += 1
                }
                index += 1
            }
            return found
        }
    }
}
