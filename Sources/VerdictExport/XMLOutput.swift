import CLibXML2

/// A libxml2 `xmlTextWriter` whose output buffer hands every flushed chunk to the sink, so the
/// document is never held in memory: libxml2 keeps one buffer of a few kilobytes.
final class XMLOutput {
    /// What the C write callback reaches through its context pointer.
    fileprivate final class Destination {
        let sink: ExportSink
        var error: (any Error)?
        /// Set on teardown: an abandoned export must not push a half-written tail to the sink.
        var closed = false

        init(_ sink: @escaping ExportSink) { self.sink = sink }
    }

    private let destination: Destination
    private let writer: xmlTextWriterPtr
    private var seconds = SecondsFormatter()
    /// Escaped values that needed escaping, reused.
    private var scratch: [UInt8] = []

    init(sink: @escaping ExportSink) throws(ExportError) {
        destination = Destination(sink)
        let context = Unmanaged.passUnretained(destination).toOpaque()
        guard let buffer = xmlOutputBufferCreateIO(writeChunk, nil, context, nil) else {
            throw .writer("could not create an output buffer")
        }
        guard let writer = xmlNewTextWriter(buffer) else {
            xmlOutputBufferClose(buffer)
            throw .writer("could not create a text writer")
        }
        self.writer = writer
        xmlTextWriterSetIndent(writer, 1)
        _ = "  ".withCString { xmlTextWriterSetIndentString(writer, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
    }

    deinit {
        destination.closed = true
        xmlFreeTextWriter(writer)
    }

    func startDocument() throws(ExportError) {
        try check(xmlTextWriterStartDocument(writer, nil, "UTF-8", nil))
    }

    /// Closes whatever is open and pushes the last chunk to the sink.
    func endDocument() throws(ExportError) {
        try check(xmlTextWriterEndDocument(writer))
        try check(xmlTextWriterFlush(writer))
    }

    func start(_ name: StaticString) throws(ExportError) {
        try check(xmlTextWriterStartElement(writer, name.utf8Start))
    }

    /// Writes `<name/>` when nothing was written inside.
    func end() throws(ExportError) {
        try check(xmlTextWriterEndElement(writer))
    }

    func attribute(_ name: StaticString, _ value: String) throws(ExportError) {
        try check(xmlTextWriterStartAttribute(writer, name.utf8Start))
        try writeEscaped(value, attribute: true)
        try check(xmlTextWriterEndAttribute(writer))
    }

    func attribute(_ name: StaticString, _ value: String?) throws(ExportError) {
        if let value { try attribute(name, value) }
    }

    func attribute(_ name: StaticString, _ value: Int) throws(ExportError) {
        var result: Int32 = 0
        seconds.withInteger(value) { text in result = plainAttribute(name, text) }
        try check(result)
    }

    /// `time="1.234"`; nothing for an unknown duration.
    func seconds(_ name: StaticString, milliseconds: Double?) throws(ExportError) {
        var result: Int32 = 0
        seconds.withSeconds(milliseconds) { text in result = plainAttribute(name, text) }
        try check(result)
    }

    /// An attribute whose value needs no escaping (digits): `xmlTextWriterWriteAttribute` would
    /// look at every byte for something to escape.
    private func plainAttribute(_ name: StaticString, _ value: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard xmlTextWriterStartAttribute(writer, name.utf8Start) >= 0,
            xmlTextWriterWriteRawLen(writer, value.baseAddress, Int32(value.count)) >= 0
        else { return -1 }
        return xmlTextWriterEndAttribute(writer)
    }

    func text(_ value: String) throws(ExportError) {
        try writeEscaped(value, attribute: false)
    }

    /// Escapes with `XMLText.escape` and hands the writer the result as raw text: libxml2's
    /// own escaping copies every value into a fresh allocation first, stack traces included,
    /// while most values need no change and go out as they are.
    private func writeEscaped(_ value: String, attribute: Bool) throws(ExportError) {
        let result = value.withBorrowedUTF8 { utf8 -> Int32 in
            guard !utf8.isEmpty else { return xmlTextWriterWriteRawLen(writer, "", 0) }
            if XMLText.escape(utf8, attribute: attribute, into: &scratch) {
                defer { scratch.removeAll(keepingCapacity: true) }
                return scratch.withUnsafeBufferPointer { xmlTextWriterWriteRawLen(writer, $0.baseAddress, Int32($0.count)) }
            }
            return xmlTextWriterWriteRawLen(writer, utf8.baseAddress, Int32(utf8.count))
        }
        try check(result)
    }

    /// `<name>text</name>`, or nothing when there is no text.
    func element(_ name: StaticString, text value: String?) throws(ExportError) {
        guard let value else { return }
        try start(name)
        try text(value)
        try end()
    }

    private func check(_ result: Int32) throws(ExportError) {
        guard result < 0 else { return }
        if let error = destination.error { throw .sink(error) }
        throw .writer("libxml2 reported a write error")
    }
}

/// A C callback, so it captures nothing: the sink comes through `context`. Returning -1
/// puts the output buffer in error, and every later write fails, which `check` reports.
private let writeChunk: xmlOutputWriteCallback = { context, bytes, length in
    guard let context else { return -1 }
    let destination = Unmanaged<XMLOutput.Destination>.fromOpaque(context).takeUnretainedValue()
    if destination.closed || destination.error != nil { return destination.closed ? length : -1 }
    do {
        try destination.sink(UnsafeRawBufferPointer(start: bytes, count: Int(length)))
        return length
    } catch {
        destination.error = error
        return -1
    }
}
