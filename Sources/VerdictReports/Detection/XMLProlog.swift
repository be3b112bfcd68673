/// Reads an XML document's prolog (everything before the root element) without an XML parser.
///
/// It serves two purposes. Detection needs the root element's name cheaply. And it is the gate
/// that keeps hostile DTDs away from libxml2: any document whose DOCTYPE has an internal subset
/// (where entities are declared: XXE, "billion laughs") is rejected before parsing starts, and so
/// is any prolog this scanner cannot read, e.g. an encoding in which `<!DOCTYPE` would not be
/// visible as ASCII. Only ASCII-compatible encodings and UTF-16 get through.
struct XMLProlog {
    /// Local name of the root element (`testsuites` for `<ns:testsuites>`).
    var rootName: String
    var hasDoctype: Bool

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(ReportParseError) -> XMLProlog {
        // A whole document never needs more input.
        try scan(bytes, isWholeDocument: true)!
    }

    /// Scans the first bytes of a document that is read in chunks. Nil means the prolog goes on
    /// past `bytes`: call again with a longer prefix. A verdict (or error) reached within the
    /// prefix stands whatever follows.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, isWholeDocument: Bool) throws(ReportParseError) -> XMLProlog? {
        var scanner = Scanner(bytes)
        do {
            let prolog = try scanPrologue(&scanner)
            // The root's name may go on in the next chunk.
            return !isWholeDocument && scanner.peek() == nil ? nil : prolog
        } catch {
            // Near the end, a markup start (`<!DOC`) may be cut short rather than wrong.
            if !isWholeDocument, scanner.peek(offset: 16) == nil { return nil }
            throw error
        }
    }

    private static func scanPrologue(_ scanner: inout Scanner) throws(ReportParseError) -> XMLProlog {
        var hasDoctype = false
        while true {
            scanner.skipWhitespace()
            guard let unit = scanner.peek() else {
                throw scanner.error(scanner.index == scanner.start ? "the document is empty" : "no root element found")
            }
            guard unit == Scanner.lt else { throw scanner.error("not XML: expected '<' but found \(scanner.describe(unit))") }
            switch scanner.peek(offset: 1) {
            case UInt16(UInt8(ascii: "?")):
                try scanner.skipPast("?>", what: "processing instruction")
            case UInt16(UInt8(ascii: "!")):
                if scanner.hasPrefix("<!--") {
                    try scanner.skipPast("-->", what: "comment")
                } else if scanner.hasPrefix("<!DOCTYPE") {
                    try scanner.checkDoctype()
                    hasDoctype = true
                } else {
                    throw scanner.error("unexpected markup before the root element")
                }
            default:
                return XMLProlog(rootName: try scanner.rootElementName(), hasDoctype: hasDoctype)
            }
        }
    }
}

private struct Scanner {
    static let lt = UInt16(UInt8(ascii: "<"))
    static let gt = UInt16(UInt8(ascii: ">"))

    let bytes: UnsafeBufferPointer<UInt8>
    /// Bytes per code unit (2 for UTF-16) and byte order.
    let width: Int
    let bigEndian: Bool
    let start: Int
    var index: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        let b = { (i: Int) -> UInt8? in i < bytes.count ? bytes[i] : nil }
        switch (b(0), b(1), b(2), b(3)) {
        case (0xEF, 0xBB, 0xBF, _): (width, bigEndian, start) = (1, false, 3)
        case (0xFF, 0xFE, _, _): (width, bigEndian, start) = (2, false, 2)
        case (0xFE, 0xFF, _, _): (width, bigEndian, start) = (2, true, 2)
        case (0x3C, 0x00, _, _): (width, bigEndian, start) = (2, false, 0)
        case (0x00, 0x3C, _, _): (width, bigEndian, start) = (2, true, 0)
        default: (width, bigEndian, start) = (1, false, 0)
        }
        index = start
    }

    /// The code unit at `index + offset * width`; `nil` at the end.
    func peek(offset: Int = 0) -> UInt16? {
        let i = index + offset * width
        guard i + width <= bytes.count else { return nil }
        if width == 1 { return UInt16(bytes[i]) }
        return bigEndian ? UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]) : UInt16(bytes[i + 1]) << 8 | UInt16(bytes[i])
    }

    mutating func advance(_ units: Int = 1) { index += units * width }

    func hasPrefix(_ text: StaticString) -> Bool {
        var offset = 0
        for byte in UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount) {
            guard peek(offset: offset) == UInt16(byte) else { return false }
            offset += 1
        }
        return true
    }

    static func isWhitespace(_ unit: UInt16) -> Bool { unit == 0x20 || unit == 0x09 || unit == 0x0A || unit == 0x0D }

    mutating func skipWhitespace() {
        while let unit = peek(), Scanner.isWhitespace(unit) { advance() }
    }

    /// Skips to just after `terminator`. Control characters are refused on the way: XML forbids
    /// them, and an escape byte could switch a stateful encoding (ISO-2022) into a mode where
    /// this ASCII view and libxml2 disagree about what the bytes say.
    mutating func skipPast(_ terminator: StaticString, what: String) throws(ReportParseError) {
        while let unit = peek() {
            if hasPrefix(terminator) {
                advance(terminator.utf8CodeUnitCount)
                return
            }
            if unit < 0x20, !Scanner.isWhitespace(unit) { throw error("control character in \(what)") }
            advance()
        }
        throw error("unterminated \(what)")
    }

    /// Accepts `<!DOCTYPE name [SYSTEM|PUBLIC ids]>`; an internal subset (`[...]`) is refused.
    mutating func checkDoctype() throws(ReportParseError) {
        var quote: UInt16? = nil
        while let unit = peek() {
            if let open = quote {
                if unit == open { quote = nil }
            } else if unit == UInt16(UInt8(ascii: "\"")) || unit == UInt16(UInt8(ascii: "'")) {
                quote = unit
            } else if unit == UInt16(UInt8(ascii: "[")) {
                throw internalSubsetError()
            } else if unit == Scanner.gt {
                advance()
                return
            }
            if unit < 0x20, !Scanner.isWhitespace(unit) { throw error("control character in DOCTYPE") }
            advance()
        }
        throw error("unterminated DOCTYPE")
    }

    /// Names the first entity declaration when there is one, since that is what the author of
    /// such a file needs to hear about.
    private mutating func internalSubsetError() -> ReportParseError {
        let subsetStart = index
        while peek() != nil {
            if hasPrefix("<!ENTITY") {
                advance(8)
                skipWhitespace()
                if peek() == UInt16(UInt8(ascii: "%")) {
                    advance()
                    skipWhitespace()
                }
                var name = ""
                while let unit = peek(), !Scanner.isWhitespace(unit), unit != Scanner.gt, name.count < 64 {
                    name.append(unit < 0x80 ? Character(Unicode.Scalar(UInt8(unit))) : "?")
                    advance()
                }
                return error(
                    "the DTD declares entity '\(name)'; documents that declare entities are rejected "
                        + "(external entities and entity expansion are not allowed)")
            }
            advance()
        }
        index = subsetStart
        return error("DTD internal subsets are not allowed in test reports")
    }

    mutating func rootElementName() throws(ReportParseError) -> String {
        advance()  // '<'
        var name: [UInt8] = []
        while let unit = peek(), !Scanner.isWhitespace(unit), unit != Scanner.gt, unit != UInt16(UInt8(ascii: "/")) {
            if unit == UInt16(UInt8(ascii: ":")) {
                name.removeAll()  // drop the namespace prefix
            } else {
                guard unit < 0x80 else { return "(non-ASCII name)" }
                name.append(UInt8(unit))
            }
            advance()
            if name.count > 256 { break }
        }
        guard !name.isEmpty else { throw error("malformed root element") }
        return String(decoding: name, as: UTF8.self)
    }

    func describe(_ unit: UInt16) -> String {
        if unit >= 0x21 && unit < 0x7F { return "'\(Character(Unicode.Scalar(UInt8(unit))))'" }
        return "byte 0x\(String(unit, radix: 16))"
    }

    /// 1-based line and column (in code units) of the current position.
    func error(_ message: String) -> ReportParseError {
        var line = 1
        var column = 1
        var i = start
        while i < index, i + width <= bytes.count {
            let isNewline =
                width == 1 ? bytes[i] == 0x0A : (bigEndian ? bytes[i] == 0 && bytes[i + 1] == 0x0A : bytes[i] == 0x0A && bytes[i + 1] == 0)
            if isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += width
        }
        return ReportParseError(.parseError, message, line: line, column: column)
    }
}
