/// A fingerprint's id: the first 128 bits of SHA-256 over the fingerprint's canonical bytes, laid
/// out as an RFC 9562 version-8 UUID (custom content) so it fits a PostgreSQL `uuid` column.
///
/// It is a pure function of the content: the same failure gets the same id in any process, on
/// any machine, on any branch and in any week, which is what lets a gate say "a cluster appeared
/// that no earlier run had". 122 of the 128 bits are hash bits, so unrelated failures colliding
/// is not a practical concern.
public struct FingerprintID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The lowercase 8-4-4-4-12 form, e.g. `3f1c…-…`; what the store and the pages show.
    public let uuid: String

    /// The id of `content`; `content` is already the canonical serialisation of a fingerprint.
    init(content: [UInt8]) {
        var bytes = SHA256.hash(content)
        bytes[6] = bytes[6] & 0x0F | 0x80  // version 8
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 9562 variant
        var text: [UInt8] = []
        text.reserveCapacity(36)
        let digits = Array("0123456789abcdef".utf8)
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(bytes[index] >> 4)])
            text.append(digits[Int(bytes[index] & 0x0F)])
        }
        uuid = String(decoding: text, as: UTF8.self)
    }

    public var description: String { uuid }

    public static func < (lhs: FingerprintID, rhs: FingerprintID) -> Bool { lhs.uuid < rhs.uuid }
}
