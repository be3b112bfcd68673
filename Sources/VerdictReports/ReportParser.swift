import VerdictJSON

/// The one entry point for turning an uploaded file into a report.
///
/// The streaming forms hand each case to a `ReportSink` as soon as it is complete and return
/// the rest as a `ReportSummary` (see `ReportSink` for the contract); the `ParsedReport` forms
/// are built on them and keep every case.
public enum ReportParser {
    /// Parses `bytes` as `format`, or as whatever `ReportFormat.detect` finds when `format` is nil.
    public static func parse(_ bytes: some Collection<UInt8>, format: ReportFormat? = nil) throws(ReportParseError) -> ParsedReport {
        var sink = CollectingSink()
        let summary: ReportSummary
        do {
            summary = try parse(bytes, format: format, into: &sink)
        } catch {
            guard case .parse(let parseError) = error else { preconditionFailure("a collecting sink over bytes cannot fail: \(error)") }
            throw parseError
        }
        return ParsedReport(summary, cases: sink.cases)
    }

    /// For an override given as a name (an API parameter): unknown names are `unsupported_format`.
    public static func parse(_ bytes: some Collection<UInt8>, formatName: String?) throws(ReportParseError) -> ParsedReport {
        guard let formatName else { return try parse(bytes, format: nil) }
        return try parse(bytes, format: try ReportFormat.named(formatName))
    }

    /// Streams the cases of `bytes` into `sink`.
    public static func parse(
        _ bytes: some Collection<UInt8>, format: ReportFormat? = nil, into sink: inout some ReportSink
    ) throws(ReportStreamError) -> ReportSummary {
        try Input.withBuffer(bytes) { buffer throws(ReportStreamError) -> ReportSummary in
            try stream(from: .buffer(buffer), format: format, into: &sink)
        }
    }

    /// Streams the cases of the report at `path` into `sink`, reading the file a chunk at a time.
    public static func parse(
        file path: String, format: ReportFormat? = nil, into sink: inout some ReportSink
    ) throws(ReportStreamError) -> ReportSummary {
        try stream(from: .file(try ReportFile(path: path)), format: format, into: &sink)
    }

    private static func stream<Sink: ReportSink>(
        from source: ReportSource, format: ReportFormat?, into sink: inout Sink
    ) throws(ReportStreamError) -> ReportSummary {
        var emitter = CaseEmitter(sink: sink)
        defer { sink = emitter.sink }
        let start = try source.start(expecting: format)
        switch start {
        case .xml(let prolog):
            return try JUnitStream(source, prolog: prolog).run(into: &emitter)
        case .json:
            let document = try source.jsonDocument()
            let resolved: ReportFormat
            if let format {
                resolved = format
            } else {
                do { resolved = try ReportFormat.detect(json: document.root) } catch { throw .parse(error) }
            }
            return try parse(json: document, as: resolved, into: &emitter)
        }
    }

    static func parse(
        json document: JSONDocument, as format: ReportFormat, into emitter: inout CaseEmitter<some ReportSink>
    ) throws(ReportStreamError) -> ReportSummary {
        switch format {
        case .playwright: try PlaywrightParser.parse(document, into: &emitter)
        case .mochawesome: try MochawesomeParser.parse(document, into: &emitter)
        case .jest: try JestParser.parse(document, into: &emitter)
        case .ctrf: try CTRFParser.parse(document, into: &emitter)
        case .junit: throw .parse(ReportParseError(.parseError, "JSON given where JUnit XML was expected"))
        }
    }
}
