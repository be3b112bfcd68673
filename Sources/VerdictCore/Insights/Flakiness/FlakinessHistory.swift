import VerdictInsights

/// A watched test's recent results as `test_flakiness.history` stores them: fixed 20-byte
/// records, oldest first (at: epoch ms, int8; commit: the sha's first 64 bits, int8; facts:
/// int4 with the outcome, attempts, the run's failure share in permille and its test count),
/// little-endian. PostgreSQL sends a bytea as hex, which decodes in one pass: a project's whole
/// watch list is read and reclassified per request.
public struct FlakinessRecord: Sendable, Equatable {
    public var at: Int64
    public var commit: Int64
    public var outcome: TestOutcome
    public var attempts: Int
    /// Failed or errored share of the run's non-skipped tests, in permille.
    public var runFailurePermille: Int
    public var runTestCount: Int

    public init(at: Int64, commit: Int64, outcome: TestOutcome, attempts: Int, runFailurePermille: Int, runTestCount: Int) {
        self.at = at
        self.commit = commit
        self.outcome = outcome
        self.attempts = attempts
        self.runFailurePermille = runFailurePermille
        self.runTestCount = runTestCount
    }

    static let size = 20

    var facts: UInt32 {
        UInt32(Self.code(outcome)) | UInt32(min(max(attempts, 0), 15)) << 3 | UInt32(min(max(runFailurePermille, 0), 1000)) << 7
            | UInt32(min(max(runTestCount, 0), 16_383)) << 17
    }

    static func code(_ outcome: TestOutcome) -> Int {
        switch outcome {
        case .passed: 0
        case .failed: 1
        case .flaky: 2
        case .skipped: 3
        case .errored: 4
        }
    }

    static let outcomes: [TestOutcome] = [.passed, .failed, .flaky, .skipped, .errored]
}

public enum FlakinessHistory {
    /// Results kept per test: the last 200 within the last 90 days.
    public static let maximumResults = 200
    public static let retentionDays = 90
    public static let retentionMilliseconds = Int64(retentionDays) * 86_400_000

    /// The records as PostgreSQL's hex bytea input (`\x…`).
    public static func hex(_ records: [FlakinessRecord]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + records.count * FlakinessRecord.size * 2)
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "x"))
        let digits = Array("0123456789abcdef".utf8)
        func put(_ value: UInt64, _ count: Int) {
            var value = value
            for _ in 0..<count {
                let byte = UInt8(truncatingIfNeeded: value)
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 15)])
                value >>= 8
            }
        }
        for record in records {
            put(UInt64(bitPattern: record.at), 8)
            put(UInt64(bitPattern: record.commit), 8)
            put(UInt64(record.facts), 4)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Histories as a `text[]` literal of their hex (no `\x`: `decode(…, 'hex')` reads it). Hex
    /// digits need no quoting, so this is written byte by byte: a watch list's histories are
    /// megabytes, and the general literal's per-character escaping took seconds over them.
    public static func hexArray(_ histories: [[FlakinessRecord]]) -> String {
        var out = "{"
        out.reserveCapacity(histories.reduce(2) { $0 + $1.count * FlakinessRecord.size * 2 + 3 })
        for (index, records) in histories.enumerated() {
            if index > 0 { out += "," }
            // An empty history is the empty string, which an unquoted element cannot be.
            out += records.isEmpty ? "\"\"" : String(hex(records).utf8.dropFirst(2))!
        }
        return out + "}"
    }

    /// Reads `\x…` hex back; malformed input yields the records before the damage.
    public static func decode(_ text: String) -> [FlakinessRecord] {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x") else { return [] }
            let count = (utf8.count - 2) / (FlakinessRecord.size * 2)
            var records: [FlakinessRecord] = []
            records.reserveCapacity(count)
            var position = 2
            func nibble(_ c: UInt8) -> UInt64 { c <= 57 ? UInt64(c &- 48) : UInt64((c | 0x20) &- 87) & 15 }
            func take(_ bytes: Int) -> UInt64 {
                var value: UInt64 = 0
                for index in 0..<bytes {
                    let byte = nibble(utf8[position]) << 4 | nibble(utf8[position + 1])
                    value |= byte << UInt64(8 * index)
                    position += 2
                }
                return value
            }
            for _ in 0..<count {
                let at = Int64(bitPattern: take(8))
                let commit = Int64(bitPattern: take(8))
                let facts = UInt32(truncatingIfNeeded: take(4))
                let code = Int(facts & 7)
                records.append(
                    FlakinessRecord(
                        at: at, commit: commit, outcome: code < 5 ? FlakinessRecord.outcomes[code] : .skipped,
                        attempts: Int(facts >> 3 & 15), runFailurePermille: Int(facts >> 7 & 1023),
                        runTestCount: Int(facts >> 17 & 16_383)))
            }
            return records
        }
    }

    /// A commit sha as a 64-bit key: its first 16 hex digits (a shorter sha is its prefix,
    /// padded with zeros); 0 when the run named no commit.
    public static func commitKey(_ sha: String) -> Int64 {
        var value: UInt64 = 0
        var digits = 0
        for c in sha.utf8 {
            guard digits < 16 else { break }
            let v: UInt64
            switch c {
            case 48...57: v = UInt64(c - 48)
            case 97...102: v = UInt64(c - 87)
            case 65...70: v = UInt64(c - 55)
            default: return 0
            }
            value = value << 4 | v
            digits += 1
        }
        guard digits > 0 else { return 0 }
        value <<= UInt64(4 * (16 - digits))
        return value == 0 ? 1 : Int64(bitPattern: value)
    }

    /// The records from `since` (epoch ms) on, as the classifier reads them; commit keys are
    /// numbered within this one history.
    public static func observations(_ records: [FlakinessRecord], since: Int64) -> [FlakinessObservation] {
        var keys: [Int64: CommitKey] = [:]
        var observations: [FlakinessObservation] = []
        observations.reserveCapacity(records.count)
        for record in records where record.at >= since {
            var commit = CommitKey.unknown
            if record.commit != 0 {
                if let key = keys[record.commit] {
                    commit = key
                } else {
                    commit = CommitKey(rawValue: UInt32(keys.count + 1))
                    keys[record.commit] = commit
                }
            }
            observations.append(
                FlakinessObservation(
                    outcome: record.outcome, commit: commit, runFailureFraction: Double(record.runFailurePermille) / 1000,
                    runTestCount: Int32(record.runTestCount), attempts: Int32(record.attempts), at: record.at))
        }
        return observations
    }

    /// Inserts a record in time order (a run that started earlier may complete later).
    static func insert(_ record: FlakinessRecord, into records: inout [FlakinessRecord]) {
        var index = records.count
        while index > 0 && records[index - 1].at > record.at { index -= 1 }
        records.insert(record, at: index)
    }

    /// Drops what is past the retention window or beyond the last `maximumResults`.
    static func trim(_ records: inout [FlakinessRecord], now: Int64) {
        let since = now - retentionMilliseconds
        if let first = records.firstIndex(where: { $0.at >= since }) {
            if first > 0 { records.removeFirst(first) }
        } else {
            records.removeAll()
        }
        if records.count > maximumResults { records.removeFirst(records.count - maximumResults) }
    }
}
