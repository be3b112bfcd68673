import VerdictJSON

/// `verdict gate RUN_ID [--if-unreachable pass|fail]`: the run's quality gates, as a CI step.
enum GateCommand: VerdictCommand {
    static let spec = CommandSpec(
        name: "gate", summary: "Judge a run by its project's quality gates now; exit 0 when every enabled gate passes.",
        usage: "verdict gate RUN_ID [--if-unreachable pass|fail] [--json]",
        options: [
            OptionSpec(
                "if-unreachable", value: "pass|fail",
                help: "the exit status when the API cannot be reached after the retries (default fail: a gate that cannot be checked holds)"
            ),
            OptionSpec("json", .flag, help: "print the verdicts as the API answers them"),
        ] + APIConfig.options,
        positionals: 1...1,
        details: """
            Exits 0 when every enabled gate passed (or the project has none), 1 when one failed. When the API
            cannot be reached: 1 with --if-unreachable fail (the default), 0 with --if-unreachable pass; either
            way it says so. Any other refusal (an unknown run, a key without write scope) exits 3.
            """)

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let runID = arguments.positionals[0]
        let onUnreachable = arguments.value("if-unreachable") ?? "fail"
        guard onUnreachable == "pass" || onUnreachable == "fail" else {
            throw UsageError("--if-unreachable wants pass or fail, not '\(onUnreachable)'")
        }
        let client = try context.client(arguments)
        let answer = Result { () throws(APIError) in try client.call("POST", "/api/v1/runs/\(APIClient.segment(runID))/gates/evaluate").json
        }
        if case .failure(let error) = answer, error.kind == .unreachable {
            Console.note("the API could not be reached (\(error.message)): the gates were not checked; --if-unreachable \(onUnreachable)")
            return onUnreachable == "pass" ? ExitStatus.success : ExitStatus.testsFailed
        }
        let verdicts = try answer.get()
        if arguments.flag("json") {
            Console.out(verdicts.text)
        } else {
            for line in describe(verdicts, page: client.config.runPage(runID)) { Console.out(line) }
        }
        return verdicts["passed"]?.boolValue == true ? ExitStatus.success : ExitStatus.testsFailed
    }

    static func describe(_ verdicts: JSON, page: String) -> [String] {
        let gates = verdicts["gates"]?.arrayValue ?? []
        guard !gates.isEmpty else { return ["no quality gates are defined for this run's project: passed", page] }
        var lines: [String] = []
        for gate in gates {
            let passed = gate["passed"]?.boolValue == true
            lines.append("\(passed ? "passed" : "FAILED"): \(gate["name"]?.stringValue ?? "?")")
            for rule in gate["rules"]?.arrayValue ?? [] where rule["passed"]?.boolValue != true {
                lines.append("  \(rule["type"]?.stringValue ?? "?"): \(rule["message"]?.stringValue ?? "")")
            }
        }
        lines.append(verdicts["passed"]?.boolValue == true ? "quality gates passed" : "quality gates failed")
        lines.append(page)
        return lines
    }
}
