/// A small, Foundation-free reader for the XML documents of S3's API (`Error`,
/// `ListBucketResult`, and the `CompleteMultipartUpload` requests the emulator reads):
/// elements, text, character and entity references, CDATA. It skips the prolog, comments,
/// processing instructions and attributes (namespaces included), and refuses DOCTYPEs rather
/// than expanding anything they declare.
public struct S3XML {
    public struct Element: Equatable {
        public var name: String
        public var children: [Element] = []
        /// The element's own text, entities decoded; child elements' text is not included.
        public var text: String = ""

        public func child(_ name: String) -> Element? { children.first { $0.name == name } }
        public func children(named name: String) -> [Element] { children.filter { $0.name == name } }
        /// The text of the first child called `name`.
        public func value(_ name: String) -> String? { child(name)?.text }
    }

    /// The document's root element, or nil when the bytes are not well-formed enough to read.
    public static func parse(_ bytes: [UInt8]) -> Element? {
        var reader = S3XML(bytes: bytes)
        return reader.document()
    }

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte. S3 uses
    /// it for keys and prefixes in listings asked for with `encoding-type=url`.
    static func formDecode(_ text: String) -> String {
        let spaced = String(decoding: text.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return String(decoding: PercentEncoding.decode(spaced), as: UTF8.self)
    }

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark may precede the prolog.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    private mutating func document() -> Element? {
        var stack: [Element] = []
        var root: Element?
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                guard let text = readText() else { return nil }
                if !stack.isEmpty {
                    stack[stack.count - 1].text += text
                } else if !text.utf8.allSatisfy(Self.isSpace) {
                    return nil
                }
                continue
            }
            if starts(with: "<?") {
                guard skip(past: "?>") else { return nil }
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return nil }
            } else if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                guard skip(past: "]]>"), !stack.isEmpty else { return nil }
                stack[stack.count - 1].text += String(decoding: bytes[start..<(index - 3)], as: UTF8.self)
            } else if starts(with: "<!") {
                return nil
            } else if starts(with: "</") {
                index += 2
                guard let name = readName(), let open = stack.popLast(), open.name == name else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { return nil }
                index += 1
                if stack.isEmpty {
                    guard root == nil else { return nil }
                    root = open
                } else {
                    stack[stack.count - 1].children.append(open)
                }
            } else {
                index += 1
                guard let name = readName(), let selfClosing = skipAttributes() else { return nil }
                let element = Element(name: name)
                if selfClosing {
                    if stack.isEmpty {
                        guard root == nil else { return nil }
                        root = element
                    } else {
                        stack[stack.count - 1].children.append(element)
                    }
                } else {
                    guard root == nil else { return nil }
                    stack.append(element)
                }
            }
        }
        return stack.isEmpty ? root : nil
    }

    private func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        return bytes.count - index >= pattern.count && bytes[index..<(index + pattern.count)].elementsEqual(pattern)
    }

    private mutating func skip(past terminator: String) -> Bool {
        let pattern = Array(terminator.utf8)
        while index + pattern.count <= bytes.count {
            if bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                index += pattern.count
                return true
            }
            index += 1
        }
        return false
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private mutating func skipSpace() {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
    }

    /// An element name without any namespace prefix.
    private mutating func readName() -> String? {
        let start = index
        while index < bytes.count, !Self.isSpace(bytes[index]), !"/>=<\"'".utf8.contains(bytes[index]) {
            index += 1
        }
        guard index > start else { return nil }
        let name = bytes[start..<index]
        if let colon = name.lastIndex(of: UInt8(ascii: ":")) {
            return String(decoding: name[(colon + 1)...], as: UTF8.self)
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// Skips to the end of a start tag; true when it was `/>`.
    private mutating func skipAttributes() -> Bool? {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: ">"):
                index += 1
                return false
            case UInt8(ascii: "/"):
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { return nil }
                index += 2
                return true
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote { index += 1 }
                guard index < bytes.count else { return nil }
                index += 1
            case UInt8(ascii: "<"):
                return nil
            default:
                index += 1
            }
        }
        return nil
    }

    /// Text up to the next `<`, with references decoded; nil on an unknown reference.
    private mutating func readText() -> String? {
        var out: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            if bytes[index] == UInt8(ascii: "&") {
                guard let semicolon = bytes[index...].firstIndex(of: UInt8(ascii: ";")), semicolon - index <= 12 else {
                    return nil
                }
                let reference = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
                guard let decoded = Self.decodeReference(reference) else { return nil }
                out += decoded
                index = semicolon + 1
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decodeReference(_ reference: String) -> [UInt8]? {
        switch reference {
        case "amp": return Array("&".utf8)
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default:
            guard reference.hasPrefix("#") else { return nil }
            let digits = reference.dropFirst()
            let value: UInt32? =
                digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
