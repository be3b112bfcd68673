/// Bytes on their way to a sink, handed over in chunks of about 64 KB: one sink call per value
/// would make a network sink pay per-call overhead thousands of times per report.
struct ChunkedOutput {
    private static let chunkSize = 64 * 1024

    private let sink: ExportSink
    var bytes: [UInt8] = []

    init(sink: @escaping ExportSink) {
        self.sink = sink
        bytes.reserveCapacity(Self.chunkSize + 4096)
    }

    mutating func flushIfFull() throws(ExportError) {
        if bytes.count >= Self.chunkSize { try flush() }
    }

    mutating func flush() throws(ExportError) {
        guard !bytes.isEmpty else { return }
        do {
            try bytes.withUnsafeBytes { try sink($0) }
        } catch {
            throw .sink(error)
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Writes one JSON object's members straight into bytes, without building a `JSON` value first.
struct JSONObjectWriter {
    private var first = true

    init(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
    }

    mutating func key(_ name: StaticString, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(contentsOf: "\":".utf8)
    }

    func close(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "}"))
    }
}
