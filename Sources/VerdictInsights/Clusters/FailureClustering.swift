/// Failures that share a fingerprint: one row of "what broke in this run".
public struct FailureCluster: Sendable, Equatable {
    public let id: FingerprintID
    public let errorType: String?
    /// Shown as the reason the failures were grouped.
    public let template: String
    public let frames: [String]
    /// Indices into the input, ascending.
    public let members: [Int]

    public var count: Int { members.count }
}

/// Groups failures by fingerprint id.
///
/// Grouping is exact on the id and nothing else, on purpose: a cluster's id must be a pure
/// function of one failure's content, so that it means the same thing in every run and a gate
/// can say "this cluster is new". A similarity step that merged near-identical templates would
/// make a failure's cluster depend on which other failures happened to be in the batch (and on
/// their order). Everything that legitimately varies between occurrences of one failure —
/// numbers, ids, paths, ports, timestamps, colours, line numbers, runner frames — is removed by
/// the fingerprint before hashing instead; the labelled set measures how well that does.
public enum FailureClustering {
    /// Clusters of `fingerprints`, largest first (ties: first seen first).
    public static func cluster(_ fingerprints: [FailureFingerprint]) -> [FailureCluster] {
        var slot: [FingerprintID: Int] = [:]
        slot.reserveCapacity(fingerprints.count)
        var members: [[Int]] = []
        var representatives: [Int] = []
        for (index, fingerprint) in fingerprints.enumerated() {
            if let existing = slot[fingerprint.id] {
                members[existing].append(index)
            } else {
                slot[fingerprint.id] = members.count
                members.append([index])
                representatives.append(index)
            }
        }
        var clusters = zip(representatives, members).map { representative, members in
            let fingerprint = fingerprints[representative]
            return FailureCluster(
                id: fingerprint.id, errorType: fingerprint.errorType, template: fingerprint.template, frames: fingerprint.frames,
                members: members)
        }
        clusters.sort { $0.count != $1.count ? $0.count > $1.count : $0.members[0] < $1.members[0] }
        return clusters
    }

    /// Fingerprints and clusters `(type, message, stack)` triples.
    public static func cluster(_ failures: [(errorType: String?, message: String?, stack: String?)]) -> [FailureCluster] {
        cluster(failures.map { FailureFingerprint(errorType: $0.errorType, message: $0.message, stack: $0.stack) })
    }
}
