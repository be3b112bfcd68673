import Foundation

public struct PythonUnavailable: Error, CustomStringConvertible {
    public var description: String
}

/// Runs a python3 script with `input` on stdin and returns its stdout; any failure (no
/// interpreter, no botocore, a traceback) is an error, never a skip.
public func runPython(_ script: String, input: Data) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    do {
        try process.run()
    } catch {
        throw PythonUnavailable(description: "python3 with botocore is required for these tests: \(error)")
    }
    stdin.fileHandleForWriting.write(input)
    try stdin.fileHandleForWriting.close()
    // Draining stdout before stderr cannot deadlock: stderr only ever carries a short
    // traceback, far below a pipe's buffer.
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PythonUnavailable(
            description: "python3 with botocore is required (pip install botocore); it exited with \(process.terminationStatus): "
                + String(decoding: errors, as: UTF8.self))
    }
    return output
}
