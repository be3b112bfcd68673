import VerdictJSON

/// The one entry point for turning an uploaded file into a `ParsedReport`.
public enum ReportParser {
    /// Parses `bytes` as `format`, or as whatever `ReportFormat.detect` finds when `format` is nil.
    public static func parse(_ bytes: some Collection<UInt8>, format: ReportFormat? = nil) throws(ReportParseError) -> ParsedReport {
        try Input.withBuffer(bytes) { buffer throws(ReportParseError) -> ParsedReport in
            if format == .junit { return try JUnitParser.parse(buffer) }
            if format == nil, try Input.syntax(of: buffer) == .xml { return try JUnitParser.parse(buffer) }
            let json = try Input.parseJSON(buffer)
            // Not `format ?? detect(...)`: the autoclosure of `??` would erase the error type.
            let resolved = if let format { format } else { try ReportFormat.detect(json: json) }
            return try parse(json: json, as: resolved)
        }
    }

    /// For an override given as a name (an API parameter): unknown names are `unsupported_format`.
    public static func parse(_ bytes: some Collection<UInt8>, formatName: String?) throws(ReportParseError) -> ParsedReport {
        guard let formatName else { return try parse(bytes, format: nil) }
        return try parse(bytes, format: try ReportFormat.named(formatName))
    }

    static func parse(json: JSON, as format: ReportFormat) throws(ReportParseError) -> ParsedReport {
        switch format {
        case .playwright: try PlaywrightParser.parse(json)
        case .mochawesome: try MochawesomeParser.parse(json)
        case .jest: try JestParser.parse(json)
        case .ctrf: try CTRFParser.parse(json)
        case .junit: throw ReportParseError(.parseError, "JSON given where JUnit XML was expected")
        }
    }
}
