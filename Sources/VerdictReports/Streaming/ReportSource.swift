import VerdictJSON

/// Where a report's bytes come from: memory the caller owns, or a file read in chunks.
enum ReportSource {
    case buffer(UnsafeBufferPointer<UInt8>)
    case file(ReportFile)

    enum Start {
        case xml(XMLProlog)
        case json
    }

    /// Decides XML or JSON from the first bytes, and for XML checks the prolog (the DTD gate)
    /// before any parser sees the document.
    func start(expecting format: ReportFormat?) throws(ReportStreamError) -> Start {
        var length = 64 * 1024
        while true {
            let start: Start?
            switch self {
            case .buffer(let bytes):
                start = try ReportSource.start(prefix: bytes, isWhole: true, expecting: format)
            case .file(let file):
                let (bytes, isWhole) = try file.prefix(length)
                start = try bytes.withUnsafeBufferPointer { prefix in
                    Result { () throws(ReportStreamError) -> Start? in
                        try ReportSource.start(prefix: prefix, isWhole: isWhole, expecting: format)
                    }
                }.get()
            }
            if let start { return start }
            // A prolog longer than the prefix (a long comment): look further.
            length *= 4
        }
    }

    private static func start(
        prefix: UnsafeBufferPointer<UInt8>, isWhole: Bool, expecting format: ReportFormat?
    ) throws(ReportStreamError) -> Start? {
        do { return try startOrThrow(prefix: prefix, isWhole: isWhole, expecting: format) } catch { throw .parse(error) }
    }

    private static func startOrThrow(
        prefix: UnsafeBufferPointer<UInt8>, isWhole: Bool, expecting format: ReportFormat?
    ) throws(ReportParseError) -> Start? {
        if format == nil {
            // Only whitespace so far: the first character is further on.
            if !isWhole, !prefix.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) { return nil }
            if try Input.syntax(of: prefix) == .json { return .json }
        } else if format != .junit {
            return .json
        }
        guard let prolog = try JUnitParser.checkedProlog(prefix, isWholeDocument: isWhole) else { return nil }
        return .xml(prolog)
    }

    func jsonDocument() throws(ReportStreamError) -> JSONDocument { try JSONDocument(self) }

    /// A fresh pass over the document, from its first byte.
    func jsonWindow() throws(ReportStreamError) -> JSONWindow {
        switch self {
        case .buffer(let bytes): JSONWindow(buffer: bytes)
        case .file(let file): try JSONWindow(file: file)
        }
    }
}
