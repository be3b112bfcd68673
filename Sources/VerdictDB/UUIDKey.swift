/// A uuid as two words: cheap to hash and compare, for keying maps by row id, and what
/// binary COPY writes as the column's 16 bytes.
public struct UUIDKey: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads the canonical 36-character form (hyphens anywhere are skipped); nil if not hex.
    public init?(text: UnsafeBufferPointer<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for byte in text where byte != UInt8(ascii: "-") {
            // Digits, then letters of either case folded to lower: one subtraction and compare each.
            var nibble = byte &- UInt8(ascii: "0")
            if nibble > 9 {
                nibble = (byte | 0x20) &- UInt8(ascii: "a")
                guard nibble < 6 else { return nil }
                nibble += 10
            }
            if digits < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            digits += 1
        }
        guard digits == 32 else { return nil }
        self.high = high
        self.low = low
    }

    public init?(_ text: String) {
        var copy = text
        guard let key = copy.withUTF8({ UUIDKey(text: $0) }) else { return nil }
        self = key
    }

    /// The canonical lower-case 8-4-4-4-12 form.
    public var text: String {
        String(unsafeUninitializedCapacity: 36) { out in
            var o = 0
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    out[o] = UInt8(ascii: "-")
                    o += 1
                }
                let byte = UInt8(truncatingIfNeeded: (i < 8 ? high >> (56 - 8 * i) : low >> (56 - 8 * (i - 8))))
                out[o] = Self.hexDigit(byte >> 4)
                out[o + 1] = Self.hexDigit(byte & 0x0F)
                o += 2
            }
            return o
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
