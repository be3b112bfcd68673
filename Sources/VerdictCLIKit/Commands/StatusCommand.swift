import VerdictJSON

/// `verdict status RUN_ID [--json]`.
enum StatusCommand: VerdictCommand {
    static let spec = CommandSpec(
        name: "status", summary: "Show a run: its status and totals, and its units when it is orchestrated.",
        usage: "verdict status RUN_ID [--json]",
        options: [OptionSpec("json", .flag, help: "print {\"run\": …, \"orchestration\": … or null} as the API answers them")]
            + APIConfig.options,
        positionals: 1...1,
        details: "Exits 0 when the run completed without failures, 1 when it has failed tests or units, 5 while it is not completed.")

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let runID = arguments.positionals[0]
        let client = try context.client(arguments)
        let run = try client.call("GET", "/api/v1/runs/\(APIClient.segment(runID))").json
        let orchestration = try OrchestrationAPI(client: client).run(runID)
        if arguments.flag("json") {
            Console.out(JSON.object(JSONObject([("run", run), ("orchestration", orchestration ?? .null)])).text)
        } else {
            for line in describe(run: run, orchestration: orchestration, page: client.config.runPage(runID)) { Console.out(line) }
        }
        return exitStatus(run: run, orchestration: orchestration)
    }

    static func exitStatus(run: JSON, orchestration: JSON?) -> Int32 {
        let totals = run["totals"]
        let failedTests = (totals?["failed"]?.intValue ?? 0) + (totals?["errors"]?.intValue ?? 0)
        let counts = orchestration?["counts"]
        let failedUnits = (counts?["failed"]?.intValue ?? 0) + (counts?["errored"]?.intValue ?? 0)
        if failedTests > 0 || failedUnits > 0 { return ExitStatus.testsFailed }
        let finished = orchestration?["status"]?.stringValue ?? run["status"]?.stringValue
        return finished == "completed" ? ExitStatus.success : ExitStatus.notFinished
    }

    static func describe(run: JSON, orchestration: JSON?, page: String) -> [String] {
        func number(_ value: JSON?) -> Int64 { value?.intValue ?? 0 }
        let identity = ["project", "branch", "commit", "name"].compactMap { key in
            run[key]?.stringValue.flatMap { $0.isEmpty ? nil : key == "commit" ? String($0.prefix(12)) : $0 }
        }
        var lines = ["run \(run["id"]?.stringValue ?? "?"): \(run["status"]?.stringValue ?? "?") (\(identity.joined(separator: ", ")))"]
        if let totals = run["totals"] {
            let parts = ["passed", "failed", "errors", "flaky", "skipped"].map { "\(number(totals[$0])) \($0)" }
            lines.append("tests: \(number(totals["tests"])): " + parts.joined(separator: ", "))
        }
        // An orchestrated run takes a report per batch: its expected count means nothing.
        lines.append(
            orchestration == nil
                ? "reports: \(number(run["reports_completed"])) of \(number(run["total_reports_expected"])) completed"
                : "reports: \(number(run["reports_completed"])) completed")
        if let orchestration {
            let counts = orchestration["counts"]?.objectValue?.pairs.map { "\($0.value.intValue ?? 0) \($0.key)" } ?? []
            lines.append("units: \(orchestration["status"]?.stringValue ?? "?"): " + counts.joined(separator: ", "))
            for unit in orchestration["units"]?.arrayValue ?? [] {
                let state = unit["state"]?.stringValue ?? "?"
                guard state == "failed" || state == "errored" else { continue }
                lines.append("  \(state): \(unit["id"]?.stringValue ?? "?")")
            }
            let workers = orchestration["workers"]?.arrayValue?.count ?? 0
            if workers > 0 { lines.append("workers: \(workers)") }
        }
        lines.append(page)
        return lines
    }
}
