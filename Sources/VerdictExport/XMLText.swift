/// Text as XML 1.0 can carry it. The characters it forbids (C0 controls other than tab, CR and
/// LF; U+FFFE and U+FFFF) are replaced by U+FFFD: libxml2's writer passes them through, and
/// one of them would make the whole document unreadable.
enum XMLText {
    /// Checks bytes rather than characters: this runs on every string of every case.
    static func isLegal(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D { return false }
                // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
                if byte == 0xEF, i + 2 < bytes.count, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE { return false }
                i += 1
            }
            return true
        }
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
