/// Drives a `JUnitParser` from the report's bytes: feeds libxml2 a chunk at a time and hands
/// out the cases each chunk completed, so only a chunk's worth of cases is ever held.
final class JUnitStream: XMLEventHandler {
    private static let chunkSize = 64 * 1024

    private let reader = XMLStreamReader()
    /// The parser lives at a fixed address: libxml2's callbacks mutate it in place, without the
    /// exclusivity checks a class property would cost on every event.
    private let parser: UnsafeMutablePointer<JUnitParser>
    private let source: ReportSource
    private var offset = 0
    private var finished = false
    private var chunk: UnsafeMutableRawBufferPointer?

    init(_ source: ReportSource, prolog: XMLProlog) throws(ReportStreamError) {
        self.source = source
        parser = .allocate(capacity: 1)
        parser.initialize(to: JUnitParser(reader: reader, prolog: prolog))
        if case .file(let file) = source {
            try file.rewind()
            chunk = .allocate(byteCount: JUnitStream.chunkSize, alignment: 16)
        }
        reader.handler = self
    }

    deinit {
        parser.deinitialize(count: 1)
        parser.deallocate()
        chunk?.deallocate()
    }

    /// Streams every case into `emitter`; suites are announced before their first case.
    func run(into emitter: inout CaseEmitter<some ReportSink>) throws(ReportStreamError) -> ReportSummary {
        while let testCase = try nextCase() {
            emitter.syncSuites(parser.pointee.suites)
            try emitter.emit(consume testCase)
        }
        emitter.syncSuites(parser.pointee.suites)
        return try emitter.finish(parser.pointee.summary())
    }

    /// The next complete case, or nil at the end of the document.
    func nextCase() throws(ReportStreamError) -> ParsedCase? {
        while true {
            if let testCase = parser.pointee.takeReadyCase() { return testCase }
            if finished { return nil }
            try feedNextChunk()
        }
    }

    private func feedNextChunk() throws(ReportStreamError) {
        let bytes: UnsafeBufferPointer<UInt8>
        switch source {
        case .buffer(let all):
            let end = min(offset + JUnitStream.chunkSize, all.count)
            bytes = UnsafeBufferPointer(rebasing: all[offset..<end])
            offset = end
            finished = end == all.count
        case .file(let file):
            let buffer = chunk!
            let got = try file.read(into: buffer.baseAddress!, count: buffer.count)
            bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: got)
            finished = got == 0
        }
        do {
            try reader.feed(bytes, isLast: finished)
        } catch {
            finished = true
            throw .parse(parser.pointee.explained(error))
        }
    }

    // MARK: - XMLEventHandler

    func startElement(_ name: UnsafePointer<UInt8>) {
        do { try parser.pointee.startElement(name) } catch { reader.abort(error) }
        reader.wantsText = parser.pointee.capturesText
    }

    func endElement() {
        parser.pointee.endElement()
        reader.wantsText = parser.pointee.capturesText
    }

    func text(_ bytes: UnsafePointer<UInt8>, count: Int) { parser.pointee.appendText(bytes, count: count) }

    func doctype() -> ReportParseError? { parser.pointee.doctype() }
}
