import CommandRunner
import XCTest

/// The piped command runner against real processes: input in, output back, deadlines, limits,
/// and commands that misbehave with their pipes.
final class PipedCommandTests: XCTestCase {
    func run(_ command: String, input: String = "", timeout: Int = 5_000, limit: Int = 1_000) throws -> CommandOutput {
        try PipedCommand.run(
            shell: command, input: Array(input.utf8), environment: ["PATH=/usr/bin:/bin", "GREETING=hi"], timeoutMilliseconds: timeout,
            outputLimit: limit)
    }

    func testInputGoesInAndBothOutputsComeBack() throws {
        let output = try run("tr a-z A-Z; echo \"$GREETING\" >&2; exit 4", input: "summary")
        XCTAssertEqual(output.end, .exited(4))
        XCTAssertEqual(String(decoding: output.standardOutput, as: UTF8.self), "SUMMARY")
        XCTAssertEqual(String(decoding: output.standardError, as: UTF8.self), "hi\n")
        XCTAssertFalse(output.outputTruncated)
    }

    func testACommandPastItsDeadlineIsKilledWithWhatItStarted() throws {
        let started = Date()
        let output = try run("sleep 30 & sleep 30", timeout: 200)
        XCTAssertEqual(output.end, .timedOut)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    func testOutputPastTheLimitIsReadAndDropped() throws {
        let output = try run("head -c 1000000 /dev/zero", limit: 100)
        XCTAssertEqual(output.end, .exited(0), "the command was never blocked on a full pipe")
        XCTAssertEqual(output.standardOutput.count, 100)
        XCTAssertTrue(output.outputTruncated)
    }

    func testACommandThatIgnoresALargeInputNeitherBlocksNorKillsTheCaller() throws {
        let large = String(repeating: "x", count: 1_000_000)
        let ignoring = try run("echo done", input: large)
        XCTAssertEqual(ignoring.end, .exited(0))
        XCTAssertEqual(String(decoding: ignoring.standardOutput, as: UTF8.self), "done\n")
        let reading = try run("wc -c", input: large)
        XCTAssertEqual(String(decoding: reading.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "1000000")
    }

    func testNoDescriptorOfTheCallerLeaksIntoTheCommand() throws {
        let output = try run("ls /proc/self/fd | wc -l")
        // stdin, stdout, stderr and the directory ls reads.
        XCTAssertEqual(String(decoding: output.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "4")
    }
}
