import VerdictReports
import XCTest

/// Parses a report given as text; fails the test (and rethrows) when parsing fails.
func parse(_ text: String, format: ReportFormat? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedReport {
    do {
        return try ReportParser.parse(Array(text.utf8), format: format)
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
        throw error
    }
}

/// The error parsing `bytes` produces; fails the test when parsing succeeds.
func parseError(_ bytes: [UInt8], format: ReportFormat? = nil, file: StaticString = #filePath, line: UInt = #line) -> ReportParseError? {
    do {
        let report = try ReportParser.parse(bytes, format: format)
        XCTFail("expected an error, parsed \(report.totals)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

func parseError(_ text: String, format: ReportFormat? = nil, file: StaticString = #filePath, line: UInt = #line) -> ReportParseError? {
    parseError(Array(text.utf8), format: format, file: file, line: line)
}

/// UTF-16 little-endian with a byte order mark, as Windows tools write XML.
func utf16LE(_ text: String) -> [UInt8] {
    [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}
