import CTextScan

/// Text as XML 1.0 can carry it. The characters it forbids (C0 controls other than tab, CR and
/// LF; U+FFFE and U+FFFF) are replaced by U+FFFD: libxml2's writer passes them through, and
/// one of them would make the whole document unreadable.
enum XMLText {
    /// Scans 16 bytes at a time (see CTextScan): this runs on every string of every case,
    /// stack traces included, and almost never finds anything.
    static func isLegal(_ text: String) -> Bool {
        text.withBorrowedUTF8 { bytes in
            guard let base = bytes.baseAddress else { return true }
            var i = 0
            while true {
                i = verdict_scan_xml_illegal(base, bytes.count, i)
                guard i < bytes.count else { return true }
                if bytes[i] != 0xEF || isNonCharacter(bytes, at: i) { return false }
                i += 1
            }
        }
    }

    /// Whether the 0xEF at `i` starts U+FFFE or U+FFFF (EF BF BE/BF).
    @inline(__always)
    private static func isNonCharacter(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        i + 2 < bytes.count && bytes[i + 1] == 0xBF && bytes[i + 2] >= 0xBE
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

    /// Appends `text` to `out` as XML 1.0 element text (`attribute: false`) or attribute value,
    /// escaped as libxml2's writer escapes it (`&amp;`, `&lt;`, `&gt;`, `&#13;`; in attributes
    /// also `&quot;`, `&#10;`, `&#9;`) and with the characters XML forbids replaced by U+FFFD,
    /// in one pass. Returns false, appending nothing, when `text` needs no change at all,
    /// which is nearly always, so the caller can write the string's own bytes.
    static func escape(_ text: UnsafeBufferPointer<UInt8>, attribute: Bool, into out: inout [UInt8]) -> Bool {
        var i = nextChange(text, from: 0, attribute: attribute)
        guard i < text.count else { return false }
        out.reserveCapacity(out.count + text.count + 64)
        var runStart = 0
        while i < text.count {
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<i])) }
            let byte = text[i]
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x0D: out.append(contentsOf: "&#13;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x0A: out.append(contentsOf: "&#10;".utf8)
            case 0x09: out.append(contentsOf: "&#9;".utf8)
            default:  // U+FFFE or U+FFFF (three bytes), or a control character XML forbids
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                if byte == 0xEF { i += 2 }
            }
            i += 1
            runStart = i
            i = nextChange(text, from: i, attribute: attribute)
        }
        if runStart < text.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...])) }
        return true
    }

    /// The index of the first byte at or after `start` that `escape` changes, else `text.count`.
    private static func nextChange(_ text: UnsafeBufferPointer<UInt8>, from start: Int, attribute: Bool) -> Int {
        guard let base = text.baseAddress else { return text.count }
        var i = start
        while true {
            i = attribute ? verdict_scan_xml_attribute(base, text.count, i) : verdict_scan_xml_text(base, text.count, i)
            guard i < text.count, text[i] == 0xEF, !isNonCharacter(text, at: i) else { return i }
            i += 1
        }
    }
}
