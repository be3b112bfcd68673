import CCrypto
import VerdictCrypto

/// An incremental digest over libcrypto's EVP interface, for bodies that arrive (or are
/// read) in chunks: MD5 is what S3 puts in an ETag, SHA-256 what integrity checks want.
public final class ObjectDigest {
    public enum Algorithm: Sendable {
        case md5
        case sha256
    }

    private let context: OpaquePointer

    public init(_ algorithm: Algorithm) {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        let type: OpaquePointer? =
            switch algorithm {
            case .md5: EVP_md5()
            case .sha256: EVP_sha256()
            }
        guard EVP_DigestInit_ex(context, type, nil) == 1 else {
            EVP_MD_CTX_free(context)
            fatalError("EVP_DigestInit_ex failed for \(algorithm)")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything passed to `update`; the object is spent afterwards.
    public func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }

    public static func md5(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let digest = ObjectDigest(.md5)
        digest.update(bytes)
        return digest.finish()
    }

    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let digest = ObjectDigest(.sha256)
        digest.update(bytes)
        return digest.finish()
    }

    public static func hex(_ bytes: some Collection<UInt8>) -> String { Crypto.hex(bytes) }

    /// S3's ETag for a single-part upload: the hex MD5 of the body, in double quotes.
    public static func etag(md5 digest: [UInt8]) -> String {
        "\"\(hex(digest))\""
    }

    /// Standard base64 with padding, the form of `Content-MD5`.
    public static func base64(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i < input.count {
            let b0 = input[i]
            let b1 = i + 1 < input.count ? input[i + 1] : 0
            let b2 = i + 2 < input.count ? input[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < input.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < input.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
