import CLibXML2

/// A thin owner of a libxml2 `xmlTextReader`: pull-parsing, so memory stays flat however large
/// the report is (the reader frees each subtree once it has been passed).
///
/// Parser options are chosen for hostile input: no network access, no DTD loading, no entity
/// substitution (XML_PARSE_NOENT is deliberately absent). Documents declaring entities never
/// get here, `XMLProlog` rejects them first, which is what makes XML_PARSE_HUGE safe: it only
/// lifts the 10 MB limit on a single text node, which long `<system-out>` logs do exceed.
final class XMLStreamReader {
    enum NodeType: Int32 {
        case element = 1, text = 3, cdata = 4, entityReference = 5, documentType = 10
        case whitespace = 13, significantWhitespace = 14, endElement = 15
        case other = -1
    }

    private let reader: xmlTextReaderPtr
    private let errors = ErrorSink()
    /// Owns what libxml2 reads from when the report is a file.
    private let input: ChunkedInput?

    private static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_HUGE.rawValue)

    /// `bytes` must outlive the reader: libxml2 reads from the buffer without copying it.
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(ReportParseError) {
        _ = libxml2Initialized
        guard bytes.count <= Int(Int32.max) else {
            throw ReportParseError(.parseError, "XML document larger than 2 GB")
        }
        let created = bytes.withMemoryRebound(to: CChar.self) { chars in
            xmlReaderForMemory(chars.baseAddress, Int32(bytes.count), nil, nil, XMLStreamReader.options)
        }
        guard let created else { throw ReportParseError(.parseError, "libxml2 could not create a reader") }
        reader = created
        input = nil
        xmlTextReaderSetStructuredErrorHandler(reader, errorHandler, Unmanaged.passUnretained(errors).toOpaque())
    }

    /// Reads `file` from its start, a chunk at a time: memory stays flat whatever its size.
    init(file: ReportFile) throws(ReportStreamError) {
        _ = libxml2Initialized
        try file.rewind()
        let input = ChunkedInput(file)
        guard
            let created = xmlReaderForIO(
                chunkedRead, nil, Unmanaged.passUnretained(input).toOpaque(), nil, nil, XMLStreamReader.options)
        else {
            throw .parse(ReportParseError(.parseError, "libxml2 could not create a reader"))
        }
        reader = created
        self.input = input
        xmlTextReaderSetStructuredErrorHandler(reader, errorHandler, Unmanaged.passUnretained(errors).toOpaque())
    }

    /// Why reading the file failed, when it did (libxml2 only learns that it did).
    var inputError: ReportStreamError? { input?.failure }

    deinit { xmlFreeTextReader(reader) }

    /// Moves to the next node; `false` at the end of the document.
    func read() throws(ReportParseError) -> Bool {
        switch xmlTextReaderRead(reader) {
        case 1: return true
        case 0:
            if let error = errors.first { throw error }
            return false
        default:
            throw errors.first
                ?? ReportParseError(
                    .parseError, "malformed XML", line: Int(xmlTextReaderGetParserLineNumber(reader)),
                    column: Int(xmlTextReaderGetParserColumnNumber(reader)))
        }
    }

    var nodeType: NodeType { NodeType(rawValue: xmlTextReaderNodeType(reader)) ?? .other }

    /// Interned by libxml2; valid until the next `read()`.
    var localName: UnsafePointer<UInt8>? { xmlTextReaderConstLocalName(reader) }

    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// Text of the current text node; valid until the next `read()`.
    var value: UnsafePointer<UInt8>? { xmlTextReaderConstValue(reader) }

    /// libxml2 in streaming mode reports a truncated document as "Extra content at the end of
    /// the document"; callers that know elements are still open can say what really happened.
    var failedAtDocumentEnd: Bool { errors.code == Int32(XML_ERR_DOCUMENT_END.rawValue) }

    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
    var column: Int { Int(xmlTextReaderGetParserColumnNumber(reader)) }

    /// Calls `body` with each attribute's local name and value of the current element.
    func forEachAttribute(_ body: (UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void) {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if let name = xmlTextReaderConstLocalName(reader), let value = xmlTextReaderConstValue(reader) {
                body(name, value)
            }
        }
        xmlTextReaderMoveToElement(reader)
    }
}

/// Collects the first error libxml2 reports, with its position.
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
}

private let errorHandler: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    Unmanaged<ErrorSink>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
}

/// Serves libxml2 from a large buffer: it asks for 4 KB at a time, which read(2) directly would
/// turn into a system call per 4 KB.
private final class ChunkedInput {
    let file: ReportFile
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    private var start = 0
    private var end = 0
    var failure: ReportStreamError?

    init(_ file: ReportFile) { self.file = file }

    deinit { buffer.deallocate() }

    func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int32 {
        if start == end {
            do {
                end = try file.read(into: buffer.baseAddress!, count: buffer.count)
            } catch {
                failure = error
                return -1
            }
            start = 0
            if end == 0 { return 0 }
        }
        let n = min(count, end - start)
        destination.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
        start += n
        return Int32(n)
    }
}

private let chunkedRead: xmlInputReadCallback = { context, destination, count in
    guard let context, let destination else { return -1 }
    return Unmanaged<ChunkedInput>.fromOpaque(context).takeUnretainedValue().read(into: destination, count: Int(count))
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
