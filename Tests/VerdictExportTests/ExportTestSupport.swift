import Foundation
import VerdictExport
import VerdictJSON
import VerdictReports
import XCTest

/// The shared report corpus (`VERDICT_CORPUS`, or `shared/corpus` next to the repository), as
/// VerdictReportsTests finds it. Missing corpus is a failure, not a skip.
struct ExportCorpus {
    let root: URL
    let expected: [String: JSON]

    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> ExportCorpus {
        let root: URL
        if let override = ProcessInfo.processInfo.environment["VERDICT_CORPUS"], !override.isEmpty {
            root = URL(fileURLWithPath: override)
        } else {
            root =
                URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
                .appendingPathComponent("../../../shared/corpus").standardizedFileURL
        }
        let expectedURL = root.appendingPathComponent("expected.json")
        guard FileManager.default.fileExists(atPath: expectedURL.path) else {
            XCTFail("report corpus not found at \(root.path) (set VERDICT_CORPUS)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        var expected: [String: JSON] = [:]
        for (key, value) in try JSON.parse(Array(try Data(contentsOf: expectedURL))).objectValue?.pairs ?? [] {
            expected[key] = value
        }
        return ExportCorpus(root: root, expected: expected)
    }

    /// Files that parse as reports (expected.json lists the others as parse errors).
    func reportFiles() -> [String] {
        expected.filter { $0.value["parse_error"] == nil && $0.value["not_a_report"] == nil }.keys.sorted()
    }

    func report(_ relativePath: String) throws -> ParsedReport {
        try ReportParser.parse(Array(try Data(contentsOf: root.appendingPathComponent(relativePath))))
    }
}

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
