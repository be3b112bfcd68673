import VerdictJSON

extension ReportFormat {
    /// Works out what kind of report `bytes` holds. Throws `parse_error` for bytes that are
    /// neither well-formed XML nor JSON, and `not_a_report` for a document of some other kind.
    public static func detect(_ bytes: some Collection<UInt8>) throws(ReportParseError) -> ReportFormat {
        try Input.withBuffer(bytes) { buffer throws(ReportParseError) -> ReportFormat in
            switch try Input.syntax(of: buffer) {
            case .xml:
                let prolog = try XMLProlog.scan(buffer)
                guard prolog.rootName == "testsuites" || prolog.rootName == "testsuite" else {
                    throw ReportParseError(.notAReport, "XML with root element <\(prolog.rootName)> is not a JUnit report")
                }
                return .junit
            case .json:
                return try detect(json: try Input.parseJSON(buffer))
            }
        }
    }

    /// Recognizes the JSON report shapes by the keys each tool always writes.
    static func detect(json: JSON) throws(ReportParseError) -> ReportFormat {
        guard case .object(let object) = json else {
            throw ReportParseError(.notAReport, "JSON \(json.arrayValue != nil ? "array" : "value") is not a test report")
        }
        if object["results"]?["tests"]?.arrayValue != nil || object["reportFormat"]?.stringValue == "CTRF" { return .ctrf }
        if object["config"]?.objectValue != nil, object["suites"]?.arrayValue != nil { return .playwright }
        if object["stats"]?.objectValue != nil,
            object["results"]?.arrayValue != nil || object["suites"]?.objectValue != nil
        {
            return .mochawesome
        }
        if object["testResults"]?.arrayValue != nil { return .jest }
        let keys = object.keys.prefix(6).map { "'\($0)'" }.joined(separator: ", ")
        throw ReportParseError(
            .notAReport,
            "JSON is not a known test report (no CTRF results.tests, Playwright config/suites, mochawesome stats, "
                + "or Jest testResults); top-level keys: \(keys.isEmpty ? "none" : keys)")
    }
}

/// How the input bytes are looked at before a parser takes over.
enum Input {
    enum Syntax { case xml, json }

    static func withBuffer<R, E: Error>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
    ) throws(E) -> R {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(E) -> R in try body(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(E) -> R in try body(buffer) }
    }

    /// Decided by the first significant character. UTF-16 is XML's business (only XML
    /// declares its encoding), so a UTF-16 byte order mark means XML.
    static func syntax(of bytes: UnsafeBufferPointer<UInt8>) throws(ReportParseError) -> Syntax {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return .xml
        }
        var line = 1, column = 1
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: column += 1
            case 0x0A: line += 1; column = 1
            case UInt8(ascii: "<"), 0x00: return .xml
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
            default:
                throw ReportParseError(
                    .parseError, "neither XML nor JSON: the document starts with \(describe(bytes[i]))",
                    line: line, column: column)
            }
            i += 1
        }
        throw ReportParseError(.parseError, "the document is empty", line: line, column: column)
    }

    static func parseJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws(ReportParseError) -> JSON {
        do {
            return try JSON.parse(bytes)
        } catch {
            throw ReportParseError(.parseError, "malformed JSON: \(error.reason)", line: error.line, column: error.column)
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
