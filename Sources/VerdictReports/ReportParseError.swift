/// Why a report could not be ingested. `code` is stable (API clients branch on it); `message`
/// is for people and names the problem, with the position when the input is XML or JSON.
public struct ReportParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The bytes are not well-formed (truncated XML, broken JSON, empty file, not text).
        case parseError = "parse_error"
        /// Well-formed XML or JSON, but not a test report of the expected kind.
        case notAReport = "not_a_report"
        /// The caller asked for a format Verdict does not know.
        case unsupportedFormat = "unsupported_format"
    }

    public var code: Code
    public var message: String
    /// 1-based position of the problem, when known.
    public var line: Int?
    public var column: Int?

    public init(_ code: Code, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line else { return "\(code.rawValue): \(message)" }
        return "\(code.rawValue): \(message) (line \(line), column \(column ?? 0))"
    }
}
