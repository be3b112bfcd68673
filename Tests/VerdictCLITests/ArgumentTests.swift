import XCTest

@testable import VerdictCLIKit

final class ArgumentTests: XCTestCase {
    let spec = CommandSpec(
        name: "run", summary: "", usage: "verdict run",
        options: [
            OptionSpec("units", .repeated, help: ""), OptionSpec("report", help: ""), OptionSpec("json", .flag, help: ""),
            OptionSpec("retries", help: ""),
        ],
        positionals: 0...1, takesCommand: true)

    func testOptionsFlagsPositionalsAndTheCommandAfterTheSeparator() throws {
        let parsed = try ParsedArguments.parse(
            ["--units", "a/**", "--units=b/*.ts", "--json", "x", "--report", "r1", "--report=r2", "--", "npx", "--units", "{}"], as: spec)
        XCTAssertEqual(parsed.all("units"), ["a/**", "b/*.ts"])
        XCTAssertEqual(parsed.value("report"), "r2", "the last of a single option wins")
        XCTAssertTrue(parsed.flag("json"))
        XCTAssertEqual(parsed.positionals, ["x"])
        XCTAssertEqual(parsed.command, ["npx", "--units", "{}"], "words after -- are the command's, options included")
    }

    func testMistakesAreUsageErrorsThatNameTheProblem() {
        XCTAssertThrowsError(try ParsedArguments.parse(["--unit", "a"], as: spec)) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown option '--unit'"), "\(error)")
        }
        XCTAssertThrowsError(try ParsedArguments.parse(["--report"], as: spec)) { error in
            XCTAssertEqual("\(error)", "--report needs a value (VALUE)")
        }
        XCTAssertThrowsError(try ParsedArguments.parse(["--json=yes"], as: spec))
        XCTAssertThrowsError(try ParsedArguments.parse(["-x"], as: spec))
        XCTAssertThrowsError(try ParsedArguments.parse(["a", "b"], as: spec)) { error in
            XCTAssertTrue("\(error)".contains("put the test command after --"), "\(error)")
        }
    }

    func testHelpWinsOverMissingArguments() throws {
        let strict = CommandSpec(name: "status", summary: "s", usage: "verdict status RUN_ID", options: [], positionals: 1...1)
        XCTAssertTrue(try ParsedArguments.parse(["--help"], as: strict).helpRequested)
        XCTAssertThrowsError(try ParsedArguments.parse([], as: strict))
        XCTAssertEqual(try ParsedArguments.parse(["-"], as: strict).positionals, ["-"], "a lone dash is a value (stdin)")
    }

    func testIntegersAreCheckedAgainstTheirRange() throws {
        XCTAssertEqual(try ParsedArguments.parse(["--retries", "3"], as: spec).integer("retries", in: 0...20), 3)
        XCTAssertNil(try ParsedArguments.parse([], as: spec).integer("retries", in: 0...20))
        XCTAssertThrowsError(try ParsedArguments.parse(["--retries", "21"], as: spec).integer("retries", in: 0...20))
        XCTAssertThrowsError(try ParsedArguments.parse(["--retries", "two"], as: spec).integer("retries", in: 0...20))
    }

    func testExitStatusesOfTheEntryPoint() {
        let env = Environment(["PATH": "/usr/bin:/bin"])
        XCTAssertEqual(VerdictCLI.main([], environment: env), ExitStatus.usage)
        XCTAssertEqual(VerdictCLI.main(["--help"], environment: env), ExitStatus.success)
        XCTAssertEqual(VerdictCLI.main(["run", "--help"], environment: env), ExitStatus.success)
        XCTAssertEqual(VerdictCLI.main(["frobnicate"], environment: env), ExitStatus.usage)
        XCTAssertEqual(VerdictCLI.main(["status", "x"], environment: env), ExitStatus.usage, "no VERDICT_URL")
        XCTAssertEqual(
            VerdictCLI.main(["upload", "/nonexistent.xml", "--project", "p", "--url", "http://127.0.0.1:1"], environment: env),
            ExitStatus.file)
        XCTAssertEqual(
            VerdictCLI.main(["run", "--units", "*.nothing", "--", "definitely-not-a-command-here"], environment: env), ExitStatus.usage)
        XCTAssertEqual(VerdictCLI.main(["plan", "--units", "x"], environment: env), ExitStatus.usage, "plan needs INDEX/TOTAL")
    }
}
