import CTextScan
import VerdictJSON

/// A window onto a JSON document that slides through it: only the bytes of the value being read
/// are kept, so a file is never in memory whole. Over a caller's buffer it simply is the buffer.
///
/// It frames values (finds where one ends) without building them; `JSON.parse` then reads each
/// framed slice, which is where the bytes are validated.
final class JSONWindow {
    private let file: ReportFile?
    private var storage: UnsafeMutableRawBufferPointer?
    private(set) var bytes: UnsafePointer<UInt8>
    /// Valid bytes in the window.
    private(set) var count: Int
    var position = 0
    /// Absolute offset of `bytes[0]` in the document.
    private(set) var origin = 0
    /// Bytes from here on are kept when the window slides (the start of the value being framed).
    var mark: Int?

    init(buffer: UnsafeBufferPointer<UInt8>) {
        file = nil
        bytes = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        count = buffer.count
    }

    init(file: ReportFile) throws(ReportStreamError) {
        try file.rewind()
        self.file = file
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        self.storage = storage
        bytes = UnsafePointer(storage.baseAddress!.assumingMemoryBound(to: UInt8.self))
        count = 0
    }

    deinit { storage?.deallocate() }

    var absolutePosition: Int { origin + position }

    /// Makes more bytes available after `count`; false at the end of the document.
    func refill() throws(ReportStreamError) -> Bool {
        guard let file, var storage else { return false }
        let keep = min(mark ?? position, position)
        if keep > 0 {
            // Slide: drop what is behind the mark.
            let base = storage.baseAddress!
            (base).copyMemory(from: base + keep, byteCount: count - keep)
            origin += keep
            count -= keep
            position -= keep
            if let old = mark { mark = old - keep }
        }
        if count == storage.count {
            // One value fills the window: grow it.
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: storage.count * 2, alignment: 16)
            larger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count)
            storage.deallocate()
            storage = larger
            self.storage = larger
            bytes = UnsafePointer(larger.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        let got = try file.read(into: storage.baseAddress! + count, count: storage.count - count)
        count += got
        return got > 0
    }

    /// The byte at `position`, or nil at the end of the document.
    func peek() throws(ReportStreamError) -> UInt8? {
        if position == count, !(try refill()) { return nil }
        return bytes[position]
    }

    func skipWhitespace() throws(ReportStreamError) {
        while let byte = try peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    /// Moves past the value at `position` without building it.
    func skipValue() throws(ReportStreamError) {
        guard let first = try peek() else { throw error("unexpected end of input") }
        switch first {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // The closers expected, innermost last: a mismatch is reported where it is.
            var closers: [UInt8] = []
            while true {
                // Only quotes and brackets matter here: jump to the next one in the window.
                position = verdict_scan_json_structure(bytes, count, position)
                guard let byte = try peek() else { break }
                switch byte {
                case UInt8(ascii: "\""):
                    try skipString()
                    continue
                case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard closers.popLast() == byte else { throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'") }
                    if closers.isEmpty {
                        position += 1
                        return
                    }
                default:
                    break  // the window was refilled at a byte that does not matter
                }
                position += 1
            }
            throw error("unexpected end of input")
        default:
            // A number or a literal: up to the next delimiter; JSON.parse judges it.
            while let byte = try peek(), !JSONWindow.isDelimiter(byte) { position += 1 }
        }
    }

    private func skipString() throws(ReportStreamError) {
        position += 1
        while true {
            position = verdict_scan_json_string(bytes, count, position)
            guard let byte = try peek() else { break }
            position += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") {
                guard try peek() != nil else { break }
                position += 1
            }
        }
        throw error("unterminated string")
    }

    /// Frames the value at `position` and parses it.
    func parseValue() throws(ReportStreamError) -> JSON {
        mark = position
        defer { mark = nil }
        try skipValue()
        let begin = mark!
        let slice = UnsafeBufferPointer(start: bytes + begin, count: position - begin)
        do {
            return try JSON.parse(slice)
        } catch {
            throw relocated(error, sliceStart: origin + begin)
        }
    }

    func expect(_ byte: UInt8, _ what: String) throws(ReportStreamError) {
        try skipWhitespace()
        guard try peek() == byte else { throw error(try peek() == nil ? "unexpected end of input" : "expected \(what)") }
        position += 1
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: true
        default: false
        }
    }

    // MARK: - Errors with positions

    func error(_ reason: String) -> ReportStreamError {
        let (line, column) = location(of: absolutePosition)
        return .parse(ReportParseError(.parseError, "malformed JSON: \(reason)", line: line, column: column))
    }

    /// A slice's error, moved to where the slice sits in the document.
    private func relocated(_ error: JSONParseError, sliceStart: Int) -> ReportStreamError {
        let (line, column) = location(of: sliceStart)
        return .parse(
            ReportParseError(
                .parseError, "malformed JSON: \(error.reason)", line: line + error.line - 1,
                column: error.line == 1 ? column + error.column - 1 : error.column))
    }

    /// 1-based line and column (counting characters, as `JSONParser` does) of an absolute
    /// offset. Only for errors: a file is read again from the start.
    private func location(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        func advance(_ byte: UInt8) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        guard let file else {
            for i in 0..<min(offset, count) { advance(bytes[i]) }
            return (line, column)
        }
        guard (try? file.rewind()) != nil else { return (line, column) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        var seen = 0
        while seen < offset, let got = try? file.read(into: chunk.baseAddress!, count: min(chunk.count, offset - seen)), got > 0 {
            for i in 0..<got { advance(chunk[i]) }
            seen += got
        }
        return (line, column)
    }
}
