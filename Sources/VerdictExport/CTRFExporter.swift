import VerdictJSON
import VerdictReports

/// Streams a CTRF report (ctrf.io, the 1.0.0 schema) to a sink: `begin` writes the header and
/// summary, `write` appends one test, `finish` closes the document.
///
/// CTRF's statuses are coarser than Verdict's: an errored case is `failed` (its own word stays in
/// `rawStatus`), a flaky one is `passed` with `flaky: true`. What CTRF has no field for goes into
/// the test's `extra.verdict` object; see `CTRFTestWriter`.
public final class CTRFExporter {
    /// The schema's version, which the examples and normative tests of ctrf-io/ctrf carry.
    public static let specVersion = "1.0.0"

    private enum State { case ready, open, finished }

    private var output: ChunkedOutput
    private var state = State.ready
    private var testCount = 0

    public init(sink: @escaping ExportSink) {
        output = ChunkedOutput(sink: sink)
    }

    /// Start and stop are required by the schema; unknown ones are written as 0.
    public func begin(
        toolName: String, toolVersion: String? = nil, totals: ReportTotals, startedAtMs: Int64?, stoppedAtMs: Int64?
    ) throws(ExportError) {
        guard state == .ready else { throw .misuse("begin called twice") }
        state = .open
        output.bytes.append(contentsOf: #"{"reportFormat":"CTRF","specVersion":""#.utf8)
        output.bytes.append(contentsOf: Self.specVersion.utf8)
        output.bytes.append(contentsOf: #"","generatedBy":"verdict","results":{"tool":"#.utf8)
        var tool = JSONObjectWriter(&output.bytes)
        tool.key("name", &output.bytes)
        JSONStrings.append(toolName.isEmpty ? "verdict" : toolName, to: &output.bytes)
        if let toolVersion {
            tool.key("version", &output.bytes)
            JSONStrings.append(toolVersion, to: &output.bytes)
        }
        tool.close(&output.bytes)
        output.bytes.append(contentsOf: #","summary":"#.utf8)
        var summary = JSONObjectWriter(&output.bytes)
        let counts: [(StaticString, Int)] = [
            ("tests", totals.tests), ("passed", totals.passed), ("failed", totals.failed + totals.errors),
            ("skipped", totals.skipped), ("pending", 0), ("other", 0), ("flaky", totals.flaky),
        ]
        for (name, value) in counts {
            summary.key(name, &output.bytes)
            CTRFNumbers.append(Int64(value), to: &output.bytes)
        }
        summary.key("start", &output.bytes)
        CTRFNumbers.append(startedAtMs ?? 0, to: &output.bytes)
        summary.key("stop", &output.bytes)
        CTRFNumbers.append(stoppedAtMs ?? startedAtMs ?? 0, to: &output.bytes)
        summary.close(&output.bytes)
        output.bytes.append(contentsOf: #","tests":["#.utf8)
        try output.flushIfFull()
    }

    public func write(_ testCase: ParsedCase) throws(ExportError) {
        guard state == .open else { throw .misuse(state == .ready ? "write before begin" : "write after finish") }
        if testCount > 0 { output.bytes.append(UInt8(ascii: ",")) }
        testCount += 1
        CTRFTestWriter.write(testCase, to: &output.bytes)
        try output.flushIfFull()
    }

    public func finish() throws(ExportError) {
        guard state == .open else { throw .misuse(state == .ready ? "finish before begin" : "finish called twice") }
        state = .finished
        output.bytes.append(contentsOf: "]}}".utf8)
        try output.flush()
    }
}

enum CTRFNumbers {
    /// Digits without a `String` in between: this runs several times per test.
    static func append(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    /// The schema wants whole milliseconds.
    static func milliseconds(_ value: Double?) -> Int64 {
        guard let value, value.isFinite, value >= 0, value < 1e15 else { return 0 }
        return Int64(value.rounded())
    }
}
