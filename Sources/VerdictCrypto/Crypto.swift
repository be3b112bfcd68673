import CCrypto

/// Hashing, MACs and randomness through libcrypto (OpenSSL).
public enum Crypto {
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        Array(data).withUnsafeBytes { input in digest.withUnsafeMutableBytes { sha256(input, into: $0) } }
        return digest
    }

    /// SHA-256 of `data` into the first 32 bytes of `digest`, without allocating.
    public static func sha256(_ data: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= Int(SHA256_DIGEST_LENGTH))
        guard EVP_Digest(data.baseAddress, data.count, digest.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, sha256MD, nil) == 1
        else { fatalError("EVP_Digest failed for SHA-256") }
    }

    /// Fetched once: OpenSSL 3's one-shot `SHA256()` looks the algorithm up by name, under a
    /// lock, on every call, which tripled the cost of hashing a test id at ingest.
    private nonisolated(unsafe) static let sha256MD: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    public static func hmacSHA256(key: some Collection<UInt8>, data: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyBytes = Array(key)
        let input = Array(data)
        keyBytes.withUnsafeBufferPointer { keyBuffer in
            input.withUnsafeBufferPointer { inputBuffer in
                _ = HMAC(
                    EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), inputBuffer.baseAddress, inputBuffer.count, &digest,
                    &length)
            }
        }
        return Array(digest[0..<Int(length)])
    }

    /// Cryptographically secure random bytes from OpenSSL's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { fatalError("RAND_bytes failed: no entropy source") }
        return bytes
    }

    /// Compares secrets in time independent of where they differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 } }
    }

    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func fromHex(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let high = nibble(chars[i]), let low = nibble(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static let base62: [Character] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Random text over [0-9A-Za-z]; rejection sampling keeps every character equally likely.
    public static func randomBase62(_ length: Int) -> String {
        var out = ""
        while out.count < length {
            for byte in randomBytes(length * 2) where byte < 248 && out.count < length {
                out.append(base62[Int(byte % 62)])
            }
        }
        return out
    }
}
