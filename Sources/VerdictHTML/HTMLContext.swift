#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the next byte of a template lands, as an HTML parser would see it: the state machine
/// behind `HTML`'s contextual escaping.
///
/// It follows the WHATWG tokenizer closely enough to tell apart the places an interpolated value
/// can land, and wherever it simplifies, it errs towards a stricter context: `<title>` and
/// `<textarea>` are read as ordinary text (their entity escaping is the same, and a literal tag
/// inside them only makes the machine stricter), `<noscript>` as raw text, and a comment or
/// `<![CDATA[` runs to its longest possible end. Lookahead (`<!--`, `</script`) never crosses
/// from one literal to the next: between two literals there is always an interpolation, and in
/// every state that needs lookahead an interpolation is refused anyway.
struct HTMLContext: Sendable, Equatable {
    /// What an interpolated value landing here would be, which decides how it is escaped or
    /// whether it is refused.
    enum Kind: Sendable, Equatable {
        /// Between tags (also `<title>` and `<textarea>`).
        case text
        /// Inside a quoted attribute value that is neither a URL, an event handler, a style nor
        /// `srcdoc`.
        case attribute
        /// Inside a quoted URL attribute value (`href`, `src`, …); `atStart` while nothing of the
        /// value has been written yet, so a whole URL and its scheme are the value's.
        case urlAttribute(atStart: Bool)
        /// Inside `<script type="application/json">` (or `application/ld+json`).
        case jsonScript
        /// Inside any other `<script>`.
        case scriptData
        /// Inside `<style>`, `<iframe>`, `<noscript>` and the other raw-text elements.
        case rawText
        /// Inside a comment, `<!DOCTYPE …>`, `<?…>` or `<![CDATA[…]]>`.
        case comment
        /// Right after `<` or `</`, or inside a tag name.
        case tagName
        /// Between attributes, or inside an attribute's name.
        case attributeName
        /// After `=` and before a quote, or inside an unquoted value.
        case unquotedAttribute
        /// Inside a quoted `on…=` attribute value: JavaScript.
        case eventHandlerAttribute
        /// Inside a quoted `style=` attribute value: CSS.
        case styleAttribute
        /// Inside a quoted `srcdoc=` attribute value: a whole HTML document, unescaped once.
        case srcdocAttribute
    }

    private enum State: UInt8, Sendable {
        case text
        case tagOpen  // after `<`
        case endTagOpen  // after `</`
        case markupDeclarationOpen  // after `<!` at the end of a literal
        case tagName
        case beforeAttributeName
        case attributeName
        case afterAttributeName
        case beforeAttributeValue
        case attributeValue  // quoted; the quote is in `quote`
        case unquotedAttributeValue
        case rawText  // the element's name is in `rawTextTag`
        case comment
        case cdata
        case declaration  // `<!DOCTYPE`, `<?`, `</ >`: up to the next `>`
    }

    private enum AttributeKind: UInt8, Sendable {
        case plain, url, eventHandler, style, srcdoc, scriptType
    }

    private var state: State = .text
    private var quote: UInt8 = 0
    private var closing = false
    private var tag = ShortName()
    private var attribute = ShortName()
    private var attributeKind: AttributeKind = .plain
    /// Nothing of the current attribute value has been written yet.
    private var valueAtStart = false
    /// The `type` of the `<script>` being read, and whether it is known for sure.
    private var scriptType = ShortName()
    private var scriptTypeSeen = false
    private var scriptTypeUncertain = false
    private var rawTextTag = ShortName()
    private var rawTextIsJSON = false
    private var rawTextIsEscapedScript = false

    init() {}

    /// The context after a literal prefix, for tests and for the messages of refused templates.
    static func after(_ literal: String) -> HTMLContext {
        var context = HTMLContext()
        var copy = literal
        copy.withUTF8 { context.advance(over: $0) }
        return context
    }

    var kind: Kind {
        switch state {
        case .text: return .text
        case .tagOpen, .endTagOpen, .tagName: return .tagName
        case .beforeAttributeName, .attributeName, .afterAttributeName: return .attributeName
        case .beforeAttributeValue, .unquotedAttributeValue: return .unquotedAttribute
        case .attributeValue:
            switch attributeKind {
            case .plain, .scriptType: return .attribute
            case .url: return .urlAttribute(atStart: valueAtStart)
            case .eventHandler: return .eventHandlerAttribute
            case .style: return .styleAttribute
            case .srcdoc: return .srcdocAttribute
            }
        case .rawText:
            if rawTextIsJSON { return .jsonScript }
            return rawTextTag == .script || rawTextIsEscapedScript ? .scriptData : .rawText
        case .markupDeclarationOpen, .comment, .cdata, .declaration: return .comment
        }
    }

    /// A name for the context in the messages of refused templates.
    var name: String {
        switch kind {
        case .text: return "text"
        case .attribute: return "a quoted attribute value"
        case .urlAttribute: return "a URL attribute value"
        case .jsonScript: return "a JSON <script>"
        case .scriptData: return "a <script>"
        case .rawText: return "a raw-text element (<style>, <iframe>, <noscript>, …)"
        case .comment: return "a comment or declaration"
        case .tagName: return "a tag name"
        case .attributeName: return "an attribute name"
        case .unquotedAttribute: return "an unquoted attribute value"
        case .eventHandlerAttribute: return "an on… event-handler attribute"
        case .styleAttribute: return "a style attribute"
        case .srcdocAttribute: return "a srcdoc attribute"
        }
    }

    /// An interpolated value was written here: the attribute value is no longer at its start,
    /// and a script's `type` is no longer a literal.
    mutating func noteInterpolation(wroteBytes: Bool) {
        guard wroteBytes, state == .attributeValue else { return }
        valueAtStart = false
        if attributeKind == .scriptType { scriptTypeUncertain = true }
    }

    mutating func advance(over buffer: UnsafeBufferPointer<UInt8>) {
        // A typed pointer rather than the buffer: its subscript is inlined even in debug builds.
        guard let bytes = buffer.baseAddress else { return }
        var i = 0
        let count = buffer.count
        while i < count {
            switch state {
            case .text:
                // Most of a page is text and attribute values; skip to the next byte that matters.
                guard let next = Self.index(of: 0x3C /* < */, in: bytes, count: count, from: i) else { return }
                i = next + 1
                state = .tagOpen
                continue
            case .attributeValue:
                guard let next = Self.index(of: quote, in: bytes, count: count, from: i) else {
                    if i < count { noteValueBytes(bytes, from: i, to: count) }
                    return
                }
                if i < next { noteValueBytes(bytes, from: i, to: next) }
                i = next + 1
                if attributeKind == .scriptType { scriptTypeSeen = true }
                state = .beforeAttributeName
                continue
            default:
                break
            }
            let byte = bytes[i]
            switch state {
            case .tagOpen:
                if Self.isLetter(byte) {
                    beginTag(closing: false)
                    continue  // reconsume as the name's first letter
                } else if byte == 0x2F /* / */ {
                    state = .endTagOpen
                } else if byte == 0x21 /* ! */ {
                    i = markupDeclaration(bytes, count: count, after: i)
                    continue
                } else if byte == 0x3F /* ? */ {
                    state = .declaration
                } else {
                    state = .text
                    continue
                }
            case .endTagOpen:
                if Self.isLetter(byte) {
                    beginTag(closing: true)
                    continue
                } else if byte == 0x3E /* > */ {
                    state = .text
                } else {
                    state = .declaration
                    continue
                }
            case .tagName:
                // A name is read whole: it cannot span an interpolation, which is refused inside it.
                let end = Self.endOfName(bytes, count: count, from: i, stoppingAtEquals: false)
                tag.append(lowercasing: bytes, from: i, to: end, available: count - i)
                i = end
                guard i < count else { return }
                if bytes[i] == 0x3E /* > */ { endTag() } else { state = .beforeAttributeName }
            case .beforeAttributeName:
                if Self.isSpace(byte) || byte == 0x2F /* / */ {
                    // `/` only marks a self-closing tag, which changes nothing a value could be.
                } else if byte == 0x3E /* > */ {
                    endTag()
                } else {
                    // A leading `=` belongs to the name.
                    let end = Self.endOfName(bytes, count: count, from: i + 1, stoppingAtEquals: true)
                    attribute = ShortName()
                    attribute.append(lowercasing: bytes, from: i, to: end, available: count - i)
                    state = .attributeName
                    i = end
                    continue
                }
            case .attributeName:
                if Self.isSpace(byte) {
                    state = .afterAttributeName
                } else if byte == 0x2F /* / */ {
                    state = .beforeAttributeName
                } else if byte == 0x3D /* = */ {
                    state = .beforeAttributeValue
                } else if byte == 0x3E /* > */ {
                    endTag()
                } else {
                    let end = Self.endOfName(bytes, count: count, from: i, stoppingAtEquals: true)
                    attribute.append(lowercasing: bytes, from: i, to: end, available: count - i)
                    i = end
                    continue
                }
            case .afterAttributeName:
                if Self.isSpace(byte) {
                } else if byte == 0x3D /* = */ {
                    state = .beforeAttributeValue
                } else if byte == 0x2F /* / */ {
                    state = .beforeAttributeName
                } else if byte == 0x3E /* > */ {
                    endTag()
                } else {
                    state = .beforeAttributeName
                    continue
                }
            case .beforeAttributeValue:
                if Self.isSpace(byte) {
                } else if byte == 0x22 /* " */ || byte == 0x27 /* ' */ {
                    beginValue(quote: byte)
                } else if byte == 0x3E /* > */ {
                    endTag()
                } else {
                    beginValue(quote: 0)
                    state = .unquotedAttributeValue
                    continue
                }
            case .unquotedAttributeValue:
                if Self.isSpace(byte) {
                    if attributeKind == .scriptType { scriptTypeSeen = true }
                    state = .beforeAttributeName
                } else if byte == 0x3E /* > */ {
                    if attributeKind == .scriptType { scriptTypeSeen = true }
                    endTag()
                } else {
                    noteValueBytes(bytes, from: i, to: i + 1)
                }
            case .rawText:
                guard let next = Self.index(of: 0x3C /* < */, in: bytes, count: count, from: i) else { return }
                i = next + 1
                if rawTextTag == .script && Self.matches(bytes, count: count, at: i, "!--") {
                    // After `<!--` a script's end depends on the "escaped" states (`<script>` inside
                    // it hides the next `</script>`); no template needs that, so the rest of the
                    // script counts as never ending, and every interpolation after it is refused.
                    rawTextTag = .unmatchable
                    rawTextIsJSON = false
                    rawTextIsEscapedScript = true
                } else if closesRawText(bytes, count: count, at: i) {
                    beginTag(closing: true)
                    tag = rawTextTag
                    i += rawTextTag.count + 1  // `/` and the name
                    state = .tagName
                }
                continue
            case .comment:
                // `-->` or `--!>` ends a comment; `<!-->` and `<!--->` were handled on entry.
                guard let next = Self.index(of: 0x3E /* > */, in: bytes, count: count, from: i) else { return }
                i = next + 1
                if Self.matches(bytes, count: count, at: next - 2, "--") || Self.matches(bytes, count: count, at: next - 3, "--!") {
                    state = .text
                }
                continue
            case .cdata:
                guard let next = Self.index(of: 0x3E /* > */, in: bytes, count: count, from: i) else { return }
                i = next + 1
                if Self.matches(bytes, count: count, at: next - 2, "]]") { state = .text }
                continue
            case .declaration:
                guard let next = Self.index(of: 0x3E /* > */, in: bytes, count: count, from: i) else { return }
                i = next + 1
                state = .text
                continue
            case .markupDeclarationOpen:
                // Only reachable when `<!` ended the previous literal, which the interpolation that
                // followed was refused for; read on as a declaration to stay strict.
                state = .declaration
                continue
            case .text, .attributeValue:
                break
            }
            i += 1
        }
    }

    private mutating func beginTag(closing: Bool) {
        self.closing = closing
        tag = ShortName()
        state = .tagName
        if !closing {
            scriptType = ShortName()
            scriptTypeSeen = false
            scriptTypeUncertain = false
        }
    }

    private mutating func beginValue(quote: UInt8) {
        self.quote = quote
        valueAtStart = true
        state = .attributeValue
        attributeKind = classifyAttribute()
        if attributeKind == .scriptType {
            // A second `type` is ignored by browsers but would overwrite ours: trust neither.
            if scriptTypeSeen { scriptTypeUncertain = true }
            scriptType = ShortName()
        }
    }

    private mutating func noteValueBytes(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        valueAtStart = false
        if attributeKind == .scriptType {
            for j in start..<end { scriptType.append(Self.lowercased(bytes[j])) }
        }
    }

    private func classifyAttribute() -> AttributeKind {
        if attribute.hasPrefix(0x6F /* o */, 0x6E /* n */) { return .eventHandler }
        // Names are compared as their packed little-endian bytes: integer compares stay cheap in
        // debug builds, where this runs for every attribute of every row. `ContextTests` checks
        // each constant against its name.
        switch (attribute.count, attribute.lanes.0, attribute.lanes.1) {
        case (5, 0x656C797473, 0): return .style
        case (6, 0x636F64637273, 0): return .srcdoc
        case (4, 0x65707974, 0): return tag == .script && !closing ? .scriptType : .plain  // type
        case (4, 0x66657268, 0),  // href
            (3, 0x637273, 0),  // src
            (6, 0x6E6F69746361, 0),  // action
            (10, 0x697463616D726F66, 0x6E6F),  // formaction
            (6, 0x726574736F70, 0),  // poster
            (4, 0x65746963, 0),  // cite
            (10, 0x756F72676B636162, 0x646E),  // background
            (8, 0x63736564676E6F6C, 0),  // longdesc
            (6, 0x70616D657375, 0),  // usemap
            (8, 0x6573616265646F63, 0),  // codebase
            (7, 0x64697373616C63, 0),  // classid
            (7, 0x65766968637261, 0),  // archive
            (4, 0x61746164, 0),  // data
            (8, 0x74736566696E616D, 0),  // manifest
            (4, 0x6E6F6369, 0),  // icon
            (4, 0x676E6970, 0),  // ping
            (7, 0x656C69666F7270, 0),  // profile
            (6, 0x637273776F6C, 0),  // lowsrc
            (6, 0x6372736E7964, 0),  // dynsrc
            (6, 0x746573637273, 0),  // srcset
            (10, 0x72683A6B6E696C78, 0x6665),  // xlink:href
            (8, 0x657361623A6C6D78, 0),  // xml:base
            // SVG animation can set an `href` to its `to`, `from`, `values` or `by`.
            (2, 0x6F74, 0),  // to
            (4, 0x6D6F7266, 0),  // from
            (6, 0x7365756C6176, 0),  // values
            (2, 0x7962, 0):  // by
            return .url
        default: return .plain
        }
    }

    private mutating func endTag() {
        state = .text
        guard !closing else { return }
        switch (tag.count, tag.lanes.0, tag.lanes.1) {
        case (6, 0x747069726373, 0):  // script
            state = .rawText
            rawTextTag = tag
            rawTextIsEscapedScript = false
            rawTextIsJSON =
                scriptTypeSeen && !scriptTypeUncertain && (scriptType == .applicationJSON || scriptType == .applicationLDJSON)
        case (9, 0x7865746E69616C70, 0x74):  // plaintext: nothing ends it
            state = .rawText
            rawTextTag = ShortName.unmatchable
            rawTextIsJSON = false
            rawTextIsEscapedScript = false
        case (5, 0x656C797473, 0),  // style
            (3, 0x706D78, 0),  // xmp
            (6, 0x656D61726669, 0),  // iframe
            (7, 0x6465626D656F6E, 0),  // noembed
            (8, 0x73656D6172666F6E, 0),  // noframes
            (8, 0x7470697263736F6E, 0):  // noscript
            state = .rawText
            rawTextTag = tag
            rawTextIsJSON = false
            rawTextIsEscapedScript = false
        default:
            break
        }
    }

    /// `<!` was read at `index`: a comment, CDATA or a declaration follows.
    private mutating func markupDeclaration(_ bytes: UnsafePointer<UInt8>, count: Int, after index: Int) -> Int {
        let next = index + 1
        if next >= count {
            state = .markupDeclarationOpen
            return next
        }
        if Self.matches(bytes, count: count, at: next, "--") {
            // `<!-->` and `<!--->` are whole (empty) comments.
            if Self.matches(bytes, count: count, at: next + 2, ">") { state = .text; return next + 3 }
            if Self.matches(bytes, count: count, at: next + 2, "->") { state = .text; return next + 4 }
            state = .comment
            return next + 2
        }
        if Self.matches(bytes, count: count, at: next, "[CDATA[") {
            state = .cdata
            return next + 7
        }
        state = .declaration
        return next
    }

    /// Whether `bytes[at...]` is `/name` of the open raw-text element, followed by a byte that ends
    /// a tag name.
    private func closesRawText(_ bytes: UnsafePointer<UInt8>, count: Int, at start: Int) -> Bool {
        let n = rawTextTag.count
        let after = start + 1 + n
        // A name running to the end of the literal is not known to end there, so it does not
        // count; what follows is an interpolation, and none allowed here can end a tag name.
        guard n <= ShortName.capacity, after < count, bytes[start] == 0x2F /* / */ else { return false }
        for j in 0..<n where Self.lowercased(bytes[start + 1 + j]) != rawTextTag.byte(j) { return false }
        let b = bytes[after]
        return Self.isSpace(b) || b == 0x2F /* / */ || b == 0x3E /* > */
    }

    private static func index(of target: UInt8, in bytes: UnsafePointer<UInt8>, count: Int, from start: Int) -> Int? {
        guard start < count, let found = memchr(bytes + start, Int32(target), count - start) else { return nil }
        return UnsafeRawPointer(bytes).distance(to: UnsafeRawPointer(found))
    }

    private static func matches(_ bytes: UnsafePointer<UInt8>, count: Int, at start: Int, _ literal: StaticString) -> Bool {
        guard start >= 0 else { return false }
        return literal.withUTF8Buffer { expected in
            guard start + expected.count <= count else { return false }
            for j in 0..<expected.count where bytes[start + j] != expected[j] { return false }
            return true
        }
    }

    /// Where a tag or attribute name that continues at `start` ends: HTML whitespace, `/`, `>`
    /// (and `=` for attributes), or the end of the literal.
    private static func endOfName(_ bytes: UnsafePointer<UInt8>, count: Int, from start: Int, stoppingAtEquals: Bool) -> Int {
        var j = start
        while j < count {
            let b = bytes[j]
            // Written out rather than calling isSpace: this loop runs for every byte of every name.
            if b == 0x20 || b == 0x2F || b == 0x3E || b == 0x0A || b == 0x09 || b == 0x0C || b == 0x0D { return j }
            if b == 0x3D && stoppingAtEquals { return j }
            j += 1
        }
        return j
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D
    }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool {
        (b | 0x20) >= 0x61 /* a */ && (b | 0x20) <= 0x7A /* z */
    }

    @inline(__always)
    static func lowercased(_ b: UInt8) -> UInt8 {
        b >= 0x41 /* A */ && b <= 0x5A /* Z */ ? b | 0x20 : b
    }
}

/// A lower-cased tag or attribute name (or script type) of up to 24 bytes held inline, so reading
/// a template allocates nothing; longer names compare unequal to every name the machine knows.
struct ShortName: Sendable, Equatable {
    static let capacity = 24
    private(set) var lanes: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private(set) var count: Int = 0

    init() {}

    init(_ text: StaticString) {
        text.withUTF8Buffer { for b in $0 { append(HTMLContext.lowercased(b)) } }
    }

    mutating func append(_ byte: UInt8) {
        guard count < Self.capacity else {
            count = Self.capacity + 1
            return
        }
        let shift = UInt64((count % 8) * 8)
        switch count / 8 {
        case 0: lanes.0 |= UInt64(byte) << shift
        case 1: lanes.1 |= UInt64(byte) << shift
        default: lanes.2 |= UInt64(byte) << shift
        }
        count += 1
    }

    /// Appends `bytes[start..<end]` lower-cased. `available` is how many bytes from `start` may
    /// be read: a whole name of up to 16 bytes is then packed a word at a time, which is most of
    /// what reading a template costs in a debug build.
    mutating func append(lowercasing bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, available: Int) {
        let n = end - start
        if count == 0 && n <= 16 && available >= 16 {
            let raw = UnsafeRawPointer(bytes + start)
            let low = Self.lowercased(raw.loadUnaligned(as: UInt64.self))
            let high = Self.lowercased(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            lanes.0 = n >= 8 ? low : low & ((1 &<< UInt64(n * 8)) &- 1)
            lanes.1 = n >= 16 ? high : (n <= 8 ? 0 : high & ((1 &<< UInt64((n - 8) * 8)) &- 1))
            count = n
            return
        }
        var j = start
        while j < end {
            let b = bytes[j]
            append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            j += 1
        }
    }

    /// ASCII `A`–`Z` to `a`–`z` in each byte of a word; every other byte is kept.
    private static func lowercased(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let seven = word & (ones &* 0x7F)
        // The high bit of each byte is set where the byte is at least `A` and at most `Z`, and
        // was not over 0x7F to begin with.
        let atLeastA = seven &+ ones &* (0x80 - 0x41)
        let aboveZ = seven &+ ones &* (0x80 - 0x5B)
        let upper = atLeastA & ~aboveZ & ~word & (ones &* 0x80)
        return word | (upper &>> 2)
    }

    func byte(_ index: Int) -> UInt8 {
        let shift = UInt64((index % 8) * 8)
        switch index / 8 {
        case 0: return UInt8(truncatingIfNeeded: lanes.0 >> shift)
        case 1: return UInt8(truncatingIfNeeded: lanes.1 >> shift)
        default: return UInt8(truncatingIfNeeded: lanes.2 >> shift)
        }
    }

    func hasPrefix(_ a: UInt8, _ b: UInt8) -> Bool {
        count >= 2 && byte(0) == a && byte(1) == b
    }

    static func == (l: ShortName, r: ShortName) -> Bool {
        l.count == r.count && l.lanes.0 == r.lanes.0 && l.lanes.1 == r.lanes.1 && l.lanes.2 == r.lanes.2
    }

    static let script = ShortName("script")
    static let applicationJSON = ShortName("application/json")
    static let applicationLDJSON = ShortName("application/ld+json")
    static let unmatchable: ShortName = {
        var name = ShortName()
        for _ in 0...capacity { name.append(0) }
        return name
    }()
}
