import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the JUnit parser hears from `XMLStreamReader`, in document order.
protocol XMLEventHandler: AnyObject {
    /// `name` is the local name, interned by libxml2; attributes are readable through the
    /// reader's `forEachAttribute` during the call.
    func startElement(_ name: UnsafePointer<UInt8>)
    func endElement()
    /// Character data (CDATA included), in pieces of any size, not NUL-terminated; only while
    /// the reader's `wantsText` is set.
    func text(_ bytes: UnsafePointer<UInt8>, count: Int)
    /// A DOCTYPE declaration; the handler decides whether it was expected.
    func doctype() -> ReportParseError?
}

/// libxml2's SAX2 push parser, fed a chunk at a time: nothing is built for the document, and
/// memory stays flat however large the report is. (libxml2's xmlTextReader builds and frees a
/// node per event and, on large reports, took three times as long as SAX.)
///
/// Parser options are chosen for hostile input: no network access, no DTD loading, no entity
/// substitution (XML_PARSE_NOENT is deliberately absent), and any entity reference left in the
/// document is an error. Documents declaring entities never get here, `XMLProlog` rejects them
/// first, which is what makes XML_PARSE_HUGE safe: it only lifts the 10 MB limit on a single
/// text node, which long `<system-out>` logs do exceed.
final class XMLStreamReader {
    private var context: xmlParserCtxtPtr?
    private let errors = ErrorSink()
    /// Whether the handler keeps the text at this point; set by the handler as elements open
    /// and close, so the text between elements never leaves libxml2.
    var wantsText = false
    /// Owns this reader, so it outlives it.
    unowned(unsafe) var handler: (any XMLEventHandler)?
    /// The attributes of the element being started: `count` groups of five pointers (local
    /// name, prefix, URI, value start, value end).
    fileprivate var attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    fileprivate var attributeCount = 0
    /// Attribute values are not NUL-terminated in SAX2; this holds a terminated copy.
    private var scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private var scratchCapacity = 256

    private static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_HUGE.rawValue)

    init() { _ = libxml2Initialized }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
        scratch.deallocate()
    }

    /// Parses the next piece of the document; `isLast` on the final one (possibly empty).
    func feed(_ bytes: UnsafeBufferPointer<UInt8>, isLast: Bool) throws(ReportParseError) {
        var chunk = bytes
        if context == nil {
            // The first bytes go to the context's creation, which detects the encoding from them.
            let head = min(4, chunk.count)
            var sax = XMLStreamReader.makeHandlers()
            let created = chunk.withMemoryRebound(to: CChar.self) { chars in
                xmlCreatePushParserCtxt(&sax, Unmanaged.passUnretained(self).toOpaque(), chars.baseAddress, Int32(head), nil)
            }
            guard let created else { throw ReportParseError(.parseError, "libxml2 could not create a parser") }
            xmlCtxtUseOptions(created, XMLStreamReader.options)
            context = created
            chunk = UnsafeBufferPointer(rebasing: chunk[head...])
        }
        guard chunk.count <= Int(Int32.max) else { throw ReportParseError(.parseError, "XML chunk larger than 2 GB") }
        let status = chunk.withMemoryRebound(to: CChar.self) { chars in
            xmlParseChunk(context, chars.baseAddress, Int32(chars.count), isLast ? 1 : 0)
        }
        if let error = errors.first { throw error }
        if status != 0 { throw ReportParseError(.parseError, "malformed XML", line: line, column: column) }
    }

    /// libxml2 reports a truncated document as "Extra content at the end of the document";
    /// callers that know elements are still open can say what really happened.
    var failedAtDocumentEnd: Bool { errors.code == Int32(XML_ERR_DOCUMENT_END.rawValue) }

    var line: Int { context.map { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer($0))) } ?? 0 }
    var column: Int { context.map { Int(xmlSAX2GetColumnNumber(UnsafeMutableRawPointer($0))) } ?? 0 }

    /// Calls `body` with each attribute's local name and value of the element being started.
    func forEachAttribute(_ body: (UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void) {
        guard let attributes else { return }
        for i in 0..<attributeCount {
            guard let name = attributes[i * 5], let start = attributes[i * 5 + 3], let end = attributes[i * 5 + 4] else { continue }
            let count = end - start
            if count >= scratchCapacity {
                scratch.deallocate()
                scratchCapacity = count * 2
                scratch = .allocate(capacity: scratchCapacity)
            }
            var length = count
            if memchr(start, Int32(UInt8(ascii: "&")), count) == nil {
                scratch.update(from: start, count: count)
            } else {
                length = XMLStreamReader.decodeAmpersands(UnsafeBufferPointer(start: start, count: count), into: scratch)
            }
            scratch[length] = 0
            body(name, UnsafePointer(scratch))
        }
    }

    /// Without entity substitution, SAX2 hands out an attribute's `&` (from `&amp;` or `&#38;`)
    /// re-escaped as `&#38;`, for a tree builder to decode later; this is that decoding. No other
    /// reference can remain: entities cannot be declared, so any other would be an error.
    /// Returns the decoded length, never more than the value's.
    private static func decodeAmpersands(_ value: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let escaped: StaticString = "&#38;"
        let escapedCount = escaped.utf8CodeUnitCount
        var i = 0
        var length = 0
        while i < value.count {
            if value[i] == UInt8(ascii: "&"), i + escapedCount <= value.count,
                memcmp(value.baseAddress! + i, escaped.utf8Start, escapedCount) == 0
            {
                out[length] = UInt8(ascii: "&")
                i += escapedCount
            } else {
                out[length] = value[i]
                i += 1
            }
            length += 1
        }
        return length
    }

    /// Stops the parse from inside a callback with `error`.
    func abort(_ error: ReportParseError) {
        errors.keep(error)
        if let context { xmlStopParser(context) }
    }

    fileprivate func record(_ error: xmlError) { errors.record(error) }

    /// Built per parser: libxml2 copies the table, and a shared one would be a non-Sendable global.
    private static func makeHandlers() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        // `_withUnsafeGuaranteedRef`: the parser owns the reader for as long as libxml2 calls
        // back, so the retain and release that `takeUnretainedValue()` adds to every event are
        // pure cost.
        sax.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
            guard let context, let localName else { return }
            Unmanaged<XMLStreamReader>.fromOpaque(context)._withUnsafeGuaranteedRef { reader in
                reader.attributes = attributes
                reader.attributeCount = Int(attributeCount)
                reader.handler?.startElement(localName)
                reader.attributes = nil
                reader.attributeCount = 0
            }
        }
        sax.endElementNs = { context, _, _, _ in
            guard let context else { return }
            Unmanaged<XMLStreamReader>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.handler?.endElement() }
        }
        let characters: charactersSAXFunc = { context, bytes, count in
            guard let context, let bytes, count > 0 else { return }
            Unmanaged<XMLStreamReader>.fromOpaque(context)._withUnsafeGuaranteedRef { reader in
                // Most text is the indentation between elements, which no handler keeps.
                if reader.wantsText { reader.handler?.text(bytes, count: Int(count)) }
            }
        }
        sax.characters = characters
        sax.cdataBlock = characters
        sax.ignorableWhitespace = characters
        sax.reference = { context, _ in
            // Unreachable while XMLProlog rejects entity declarations; kept as a second lock.
            guard let context else { return }
            let reader = Unmanaged<XMLStreamReader>.fromOpaque(context).takeUnretainedValue()
            reader.abort(ReportParseError(.parseError, "entity references are not allowed", line: reader.line, column: reader.column))
        }
        sax.internalSubset = { context, _, _, _ in
            guard let context else { return }
            let reader = Unmanaged<XMLStreamReader>.fromOpaque(context).takeUnretainedValue()
            if let error = reader.handler?.doctype() { reader.abort(error) }
        }
        sax.serror = { context, error in
            guard let context, let error else { return }
            Unmanaged<XMLStreamReader>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
        }
        return sax
    }
}

/// Keeps the first error libxml2 (or a callback) reports, with its position.
private final class ErrorSink {
    var first: ReportParseError?
    var code: Int32?

    func record(_ error: xmlError) {
        guard first == nil, error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        code = error.code
        var message = error.message.map { String(cString: $0) } ?? "malformed XML"
        while message.last?.isWhitespace == true { message.removeLast() }
        first = ReportParseError(
            .parseError, "malformed XML: \(message)", line: error.line > 0 ? Int(error.line) : nil,
            column: error.line > 0 ? max(Int(error.int2), 1) : nil)
    }

    func keep(_ error: ReportParseError) {
        if first == nil { first = error }
    }
}

/// libxml2 wants one global initialisation before threads use it; a global is initialised once.
private let libxml2Initialized: Void = xmlInitParser()

extension UnsafePointer<UInt8> {
    /// Whether this NUL-terminated string equals `text`, without creating a Swift string.
    @inline(__always)
    func equals(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        let expected = text.utf8Start
        for i in 0..<count where self[i] != expected[i] { return false }
        return self[count] == 0
    }

    /// The NUL-terminated bytes as a Swift string (invalid UTF-8 is repaired, not rejected).
    var string: String { String(cString: self) }
}
