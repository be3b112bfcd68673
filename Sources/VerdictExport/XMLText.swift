/// Text as XML 1.0 can carry it. The characters it forbids (C0 controls other than tab, CR and
/// LF; U+FFFE and U+FFFF) are replaced by U+FFFD: libxml2's writer passes them through, and
/// one of them would make the whole document unreadable.
enum XMLText {
    /// Checks bytes rather than characters, eight at a time: this runs on every string of every
    /// case, stack traces included, and almost never finds anything.
    static func isLegal(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return true }
            let count = bytes.count
            var i = 0
            while i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                // A byte below 0x20, or an 0xEF lead byte (U+FFFE and U+FFFF are EF BF BE/BF).
                let below = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
                let xored = word ^ 0xEFEF_EFEF_EFEF_EFEF
                let lead = (xored &- 0x0101_0101_0101_0101) & ~xored & 0x8080_8080_8080_8080
                if below | lead != 0, !isLegal(UnsafeBufferPointer(start: base, count: count), from: i, to: i + 8) { return false }
                i += 8
            }
            return isLegal(UnsafeBufferPointer(start: base, count: count), from: i, to: count)
        }
    }

    private static func isLegal(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        for i in start..<end {
            let byte = bytes[i]
            if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D { return false }
            if byte == 0xEF, i + 2 < bytes.count, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE { return false }
        }
        return true
    }

    static func sanitized(_ text: String) -> String {
        guard !isLegal(text) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let legal = v >= 0x20 ? (v != 0xFFFE && v != 0xFFFF) : (v == 0x09 || v == 0x0A || v == 0x0D)
            out.append(legal ? scalar : "\u{FFFD}")
        }
        return String(out)
    }

    /// Whether the JUnit parser would read element text back differently: it keeps nothing for
    /// whitespace-only content.
    static func isBlank(_ text: String) -> Bool {
        !text.utf8.contains { $0 > 0x20 }
    }
}
