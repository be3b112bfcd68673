import VerdictJSON

/// Small text helpers shared by the parsers.
enum Text {
    /// `nil` for absent or whitespace-only text, which reports use to mean "nothing".
    static func nonBlank(_ text: String?) -> String? {
        guard let text, text.utf8.contains(where: { $0 > 0x20 }) else { return nil }
        return text
    }

    static func nonBlank(_ bytes: [UInt8]) -> String? {
        guard bytes.contains(where: { $0 > 0x20 }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    /// Splits on a multi-character separator (`" > "`), dropping empty parts.
    static func split(_ text: String, separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while let range = String(rest).rangeOfText(separator) {
            let before = String(rest)
            parts.append(String(before[..<range.lowerBound]))
            rest = Substring(before[range.upperBound...])
        }
        parts.append(String(rest))
        return parts.map(trimmed).filter { !$0.isEmpty }
    }
}

extension Text {
    /// Removes ANSI colour/cursor sequences (`ESC [ ... letter`), which Jest and Playwright put
    /// in their failure messages for terminals.
    static func strippingANSI(_ text: String) -> String {
        guard text.utf8.contains(0x1B) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == 0x1B else { out.append(byte); continue }
            guard let next = bytes.next() else { break }
            if next == UInt8(ascii: "[") {
                while let b = bytes.next(), !(b >= 0x40 && b <= 0x7E) {}
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first non-blank line, used as a message when a tool only gives one blob of text.
    static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy.map { trimmed(String($0)) }.first { !$0.isEmpty }
    }
}
