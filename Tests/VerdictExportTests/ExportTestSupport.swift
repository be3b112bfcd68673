import Foundation
import VerdictExport
import VerdictJSON
import VerdictReports
import VerdictTestSupport
import XCTest

/// Runs an export into memory, counting how often the sink was called.
func collect(_ export: (@escaping ExportSink) throws -> Void) throws -> (bytes: [UInt8], chunks: Int) {
    final class Buffer {
        var bytes: [UInt8] = []
        var chunks = 0
    }
    let buffer = Buffer()
    try export { chunk in
        buffer.bytes.append(contentsOf: chunk)
        buffer.chunks += 1
    }
    return (buffer.bytes, buffer.chunks)
}

func junitExport(_ report: ParsedReport) throws -> [UInt8] {
    try collect { sink in try JUnitExporter.export(report, to: sink) }.bytes
}

func ctrfExport(_ report: ParsedReport) throws -> [UInt8] {
    try collect { sink in try CTRFExporter.export(report, to: sink) }.bytes
}

/// Exports every corpus report, parses the document again and fails for each case that
/// `differences` finds changed; `check` adds what must hold for the whole copy. Prints the count.
func checkCorpusRoundTrip(
    _ label: String, export: (ParsedReport) throws -> [UInt8], reparse: ([UInt8]) throws -> ParsedReport,
    differences: (ParsedCase, ParsedCase) -> [String], check: (_ path: String, _ original: ParsedReport, _ copy: ParsedReport) -> Void
) throws {
    let corpus = try Corpus.load()
    let files = corpus.reportFiles()
    XCTAssertGreaterThan(files.count, 100, "corpus at \(corpus.root.path) looks incomplete")
    var cases = 0
    for path in files {
        let original = try corpus.report(path)
        let copy: ParsedReport
        do {
            copy = try reparse(try export(original))
        } catch {
            XCTFail("\(path): the export does not parse: \(error)")
            continue
        }
        XCTAssertEqual(copy.cases.count, original.cases.count, "\(path): case count")
        check(path, original, copy)
        for (index, (a, b)) in zip(original.cases, copy.cases).enumerated() {
            let found = differences(a, b)
            XCTAssert(found.isEmpty, "\(path) case \(index) '\(a.title)':\n" + found.joined(separator: "\n"))
        }
        cases += original.cases.count
    }
    print("\(label) round trip: \(cases) cases from \(files.count) files")
}

/// Runs a tool from PATH with `input` on stdin; nil when the tool is not installed.
func runTool(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> (status: Int32, output: String)? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let stdin = Pipe()
    let output = Pipe()
    process.standardInput = stdin
    process.standardOutput = output
    process.standardError = output
    try process.run()
    // Written from another thread: a large document would fill the pipe while the tool waits.
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input)); try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}
