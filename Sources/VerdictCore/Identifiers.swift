import VerdictCrypto
import VerdictDB
import VerdictReports

#if canImport(Glibc)
    import Glibc
#endif

/// Identifiers Verdict mints itself: as `UUIDKey`s for rows written in bulk (binary COPY takes
/// the 16 bytes), or in the canonical 8-4-4-4-12 text form PostgreSQL accepts as a parameter.
public enum Identifier {
    /// A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then randomness.
    /// Rows keyed by it are appended at the end of their index, and id order is creation order,
    /// which the history reads rely on.
    public static func timeOrderedKey() -> UUIDKey {
        let (a, b) = RandomPool.shared.next()
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let millis = UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
        return UUIDKey(high: millis << 16 | 0x7000 | (a & 0x0FFF), low: Self.variant(b))
    }

    public static func timeOrdered() -> String { timeOrderedKey().text }

    /// A case's id: its report's id with the last four bytes replaced by the case's position in
    /// the report (`case_id` in SQL). Report ids are time-ordered, so case ids still sort newest
    /// report first; and an id says where its row is, so the cases table needs no index of its
    /// own on it (an ingest's single largest index cost after test history).
    public static func caseKey(report: UUIDKey, ordinal: Int) -> UUIDKey {
        UUIDKey(high: report.high, low: report.low & 0xFFFF_FFFF_0000_0000 | UInt64(UInt32(truncatingIfNeeded: ordinal)))
    }

    /// Where a case id points: the range its report's id lies in (reports never share their
    /// first twelve bytes) and the case's position.
    public static func caseLocation(_ caseID: UUIDKey) -> (reportsFrom: UUIDKey, reportsThrough: UUIDKey, ordinal: Int) {
        let prefix = caseID.low & 0xFFFF_FFFF_0000_0000
        return (
            UUIDKey(high: caseID.high, low: prefix), UUIDKey(high: caseID.high, low: prefix | 0xFFFF_FFFF),
            Int(UInt32(truncatingIfNeeded: caseID.low))
        )
    }

    /// A name-based UUID (version 8, SHA-256 of the name): the same name gives the same id on
    /// every machine, so a test's id is known before any database round trip.
    public static func derivedKey(from name: String) -> UUIDKey {
        var name = name
        return name.withUTF8 { derivedKey(fromUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// `derivedKey(from:)` of a name given as UTF-8 bytes.
    public static func derivedKey(fromUTF8 name: UnsafeRawBufferPointer) -> UUIDKey {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { Crypto.sha256(name, into: $0) }
        let high = UInt64(bigEndian: digest.0)
        return UUIDKey(high: high & ~0xF000 | 0x8000, low: Self.variant(UInt64(bigEndian: digest.1)))
    }

    public static func derived(from name: String) -> String { derivedKey(from: name).text }

    /// A test's id (version 8): the first 48 bits name its scope (project, file and suite path),
    /// the rest are `derivedKey` of its whole name (`projectID|` then `TestIdentity`'s key). Test
    /// history finds a test through its scope's spans (migration 9), so a report stores a row per
    /// stretch of cases of one scope rather than an index entry per case.
    public static func testKey(scopePrefix: UInt64, name: UnsafeRawBufferPointer) -> UUIDKey {
        let whole = derivedKey(fromUTF8: name)
        return UUIDKey(high: scopePrefix & 0xFFFF_FFFF_FFFF_0000 | whole.high & 0xFFFF, low: whole.low)
    }

    /// The scope's 48 bits (in the high bits of the result): SHA-256 of `projectID|` and the
    /// scope's part of the test key, built from the file and suite path as the database stores
    /// them, without NUL characters, so that stored cases give the same prefix (migration 8).
    public static func testScopePrefix(projectID: String, file: String?, suitePath: [String]) -> UInt64 {
        var name = Array((projectID + "|").utf8)
        TestIdentity.appendScope(file: file.map(CopyRows.storedText), suitePath: suitePath.map(CopyRows.storedText), to: &name)
        return name.withUnsafeBytes { derivedKey(fromUTF8: $0).high } & 0xFFFF_FFFF_FFFF_0000
    }

    /// The scope as `test_scope_spans.scope` and SQL's `test_scope(test_id)` have it: the first 48
    /// bits of a test id (the high word of its key, or a scope prefix) as a number.
    public static func testScope(high: UInt64) -> Int64 { Int64(high >> 16) }

    /// A test's id from its parts, as ingest derives it.
    public static func testKey(projectID: String, file: String?, suitePath: [String], title: String, project: String?) -> UUIDKey {
        var name = Array((projectID + "|").utf8)
        TestIdentity.append(file: file, suitePath: suitePath, title: title, project: project, to: &name)
        let prefix = testScopePrefix(projectID: projectID, file: file, suitePath: suitePath)
        return name.withUnsafeBytes { testKey(scopePrefix: prefix, name: $0) }
    }

    /// RFC 9562's variant bits (10) at the top of the low word.
    private static func variant(_ low: UInt64) -> UInt64 { low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000 }
}

/// Random bytes fetched from the CSPRNG in blocks: one call per id would dominate an ingest.
private final class RandomPool: @unchecked Sendable {
    static let shared = RandomPool()
    private var block: [UInt64] = []
    private var offset = 0
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(lock, nil) }

    func next() -> (UInt64, UInt64) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if offset + 2 > block.count {
            let bytes = Crypto.randomBytes(4096)
            block = bytes.withUnsafeBytes { raw in
                (0..<raw.count / 8).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
            }
            offset = 0
        }
        defer { offset += 2 }
        return (block[offset], block[offset + 1])
    }
}
