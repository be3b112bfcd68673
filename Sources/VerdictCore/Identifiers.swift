import VerdictCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Identifiers Verdict mints itself, in the canonical 8-4-4-4-12 text form PostgreSQL accepts.
public enum Identifier {
    /// A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then randomness.
    /// Rows keyed by it are appended at the end of their index, and id order is creation order,
    /// which the history reads rely on.
    public static func timeOrdered() -> String {
        var bytes = RandomPool.shared.next16()
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let millis = UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return text(bytes)
    }

    /// A name-based UUID (version 8, SHA-256 of the name): the same name gives the same id on
    /// every machine, so a test's id is known before any database round trip.
    public static func derived(from name: String) -> String {
        var bytes = Crypto.sha256(name.utf8)
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return text(bytes[0..<16])
    }

    static func text(_ bytes: some Collection<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { out in
            var o = 0
            for (i, byte) in bytes.prefix(16).enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    out[o] = UInt8(ascii: "-")
                    o += 1
                }
                out[o] = digits[Int(byte >> 4)]
                out[o + 1] = digits[Int(byte & 0x0F)]
                o += 2
            }
            return o
        }
    }
}

/// Random bytes fetched from the CSPRNG in blocks: one call per id would dominate an ingest.
private final class RandomPool: @unchecked Sendable {
    static let shared = RandomPool()
    private var block: [UInt8] = []
    private var offset = 0
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }

    func next16() -> [UInt8] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if offset + 16 > block.count {
            block = Crypto.randomBytes(4096)
            offset = 0
        }
        defer { offset += 16 }
        return Array(block[offset..<offset + 16])
    }
}
