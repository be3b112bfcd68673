/// Removes terminal colour and cursor codes. Jest, Playwright and mocha colour their messages
/// (`\u{1b}[31m`); the same failure printed with and without a TTY must get the same template.
/// Reports that cannot carry ESC (XML 1.0 forbids it) often keep the rest, `[31m`, so a bare
/// SGR sequence (`[` digits and `;` then `m`) is removed too.
enum ANSIEscapes {
    static func strip(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 0x1B || $0 == 0x5B || $0 == 0x0D }) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x1B {
                i = skipEscape(bytes, from: i)
                continue
            }
            if b == 0x5B, let end = bareSGREnd(bytes, from: i) {
                i = end
                continue
            }
            if b == 0x0D {  // CRLF and progress-bar carriage returns
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    /// Index after the escape sequence starting at `start` (an ESC).
    private static func skipEscape(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start + 1
        guard i < bytes.count else { return i }
        switch bytes[i] {
        case 0x5B:  // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final 0x40–0x7E
            i += 1
            while i < bytes.count, bytes[i] >= 0x20, bytes[i] <= 0x3F { i += 1 }
            return i < bytes.count && bytes[i] >= 0x40 && bytes[i] <= 0x7E ? i + 1 : i
        case 0x5D:  // OSC (hyperlinks): up to BEL or ESC \
            i += 1
            while i < bytes.count {
                if bytes[i] == 0x07 { return i + 1 }
                if bytes[i] == 0x1B { return min(i + 2, bytes.count) }
                i += 1
            }
            return i
        default:
            return i + 1
        }
    }

    /// End of `[1;31m`-style leftovers of an SGR code whose ESC was lost, or nil.
    private static func bareSGREnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start + 1
        var digits = 0
        while i < bytes.count, i - start <= 16 {
            let b = bytes[i]
            if ByteText.isDigit(b) {
                digits += 1
            } else if b == 0x3B {
            } else if b == 0x6D {
                return digits > 0 ? i + 1 : nil
            } else {
                return nil
            }
            i += 1
        }
        return nil
    }
}
