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

    /// How `escape` treats a byte: 0 copy, 1 escape in text and attributes, 2 escape in
    /// attributes only, 3 look closer (a control character or 0xEF, which may start U+FFFE/F).
    private static let byteClass: [UInt8] = (0..<256).map { byte -> UInt8 in
        switch byte {
        case 0x26, 0x3C, 0x3E, 0x0D: return 1  // & < > CR
        case 0x22, 0x0A, 0x09: return 2  // " LF TAB
        case 0..<0x20, 0xEF: return 3
        default: return 0
        }
    }

    /// Appends `text` to `out` as XML 1.0 element text (`attribute: false`) or attribute value,
    /// escaped as libxml2's writer escapes it (`&amp;`, `&lt;`, `&gt;`, `&#13;`; in attributes
    /// also `&quot;`, `&#10;`, `&#9;`) and with the characters XML forbids replaced by U+FFFD,
    /// in one pass. Returns false, appending nothing, when `text` needs no change at all,
    /// which is nearly always, so the caller can write the string's own bytes.
    static func escape(_ text: UnsafeBufferPointer<UInt8>, attribute: Bool, into out: inout [UInt8]) -> Bool {
        let limit: UInt8 = attribute ? 2 : 1
        var first = -1
        byteClass.withUnsafeBufferPointer { table in
            for i in 0..<text.count {
                let kind = table[Int(text[i])]
                if kind != 0, kind <= limit || needsChange(text, at: i, kind: kind) {
                    first = i
                    return
                }
            }
        }
        guard first >= 0 else { return false }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<first]))
        var i = first
        var runStart = first
        byteClass.withUnsafeBufferPointer { table in
            while i < text.count {
                let byte = text[i]
                let kind = table[Int(byte)]
                guard kind != 0, kind <= limit || needsChange(text, at: i, kind: kind) else {
                    i += 1
                    continue
                }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<i])) }
                switch byte {
                case 0x26: out.append(contentsOf: "&amp;".utf8)
                case 0x3C: out.append(contentsOf: "&lt;".utf8)
                case 0x3E: out.append(contentsOf: "&gt;".utf8)
                case 0x0D: out.append(contentsOf: "&#13;".utf8)
                case 0x22: out.append(contentsOf: "&quot;".utf8)
                case 0x0A: out.append(contentsOf: "&#10;".utf8)
                case 0x09: out.append(contentsOf: "&#9;".utf8)
                case 0xEF:  // U+FFFE or U+FFFF: three bytes become U+FFFD
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    i += 2
                default:  // a control character XML forbids
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                }
                i += 1
                runStart = i
            }
        }
        if runStart < text.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...])) }
        return true
    }

    /// For class-3 bytes: tab, LF and CR are legal (LF and tab escaped in attributes only, CR
    /// is class 1); other controls are not; 0xEF only starts a change as U+FFFE/U+FFFF.
    @inline(__always)
    private static func needsChange(_ text: UnsafeBufferPointer<UInt8>, at i: Int, kind: UInt8) -> Bool {
        guard kind == 3 else { return false }
        let byte = text[i]
        if byte != 0xEF { return true }
        return i + 2 < text.count && text[i + 1] == 0xBF && text[i + 2] >= 0xBE
    }
}
