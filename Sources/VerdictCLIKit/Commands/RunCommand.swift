import VerdictReports

#if canImport(Glibc)
    import Glibc
#endif

/// `verdict run --units GLOB… [--report PATH] -- COMMAND… {}`: one worker of an orchestrated run.
enum RunCommand: VerdictCommand {
    static let spec = CommandSpec(
        name: "run", summary: "Run tests as one worker of an orchestrated run: take batches of units until none are left.",
        usage: "verdict run (--units GLOB… | --units-from FILE|-) [--report PATH] [options] -- COMMAND [ARG|{}|{report}]…",
        options: [
            OptionSpec("units", .repeated, value: "GLOB", help: "test files to spread over the workers (** for any depth; repeatable)"),
            OptionSpec("exclude", .repeated, value: "GLOB", help: "leave out units matching GLOB (repeatable)"),
            OptionSpec(
                "units-from", value: "FILE", help: "read unit ids one per line from FILE, or - for stdin (pytest --collect-only -q)"),
            OptionSpec(
                "report", value: "PATH", help: "where the command writes its report ({worker} and {batch} are filled in)"),
            OptionSpec("format", value: "FORMAT", help: "the report's format when detection is not wanted"),
            OptionSpec("attachments", value: "DIR", help: "upload the files below DIR that a batch's report refers to"),
            OptionSpec("no-upload", .flag, help: "send results to the orchestrator but keep reports local"),
            OptionSpec("worker", value: "NAME", help: "this worker's name (default: $VERDICT_WORKER, node-$CI_NODE_INDEX, host-pid)"),
            OptionSpec(
                "label", .repeated, value: "KEY=VALUE",
                help:
                    "a label of this worker (repeatable): it takes only units whose labels it has (default: $VERDICT_LABELS, comma-separated)"
            ),
            OptionSpec(
                "unit-label", .repeated, value: "GLOB:KEY=VALUE",
                help: "units matching GLOB go only to workers labelled KEY=VALUE (repeatable)"),
            OptionSpec("durations", value: "FILE", help: "last known durations, sent as each unit's weight (see verdict plan)"),
            OptionSpec("lease-seconds", value: "N", help: "how long a batch is held without a heartbeat (default 300)"),
            OptionSpec("idle-timeout", value: "N", help: "seconds without any worker before the run is given up (default 600)"),
            OptionSpec("retests", value: "N", help: "times a failed unit is run again, on another worker where possible (default 0)"),
            OptionSpec("fail-fast", .flag, help: "stop handing out units after the first failure"),
            OptionSpec("expected-workers", value: "N", help: "how many workers will join (default: $CI_NODE_TOTAL)"),
            OptionSpec("dry-run", .flag, help: "print the units and the command for them, and exit"),
        ] + CommandContext.identityOptions + APIConfig.options,
        takesCommand: true,
        details: """
            {} (a whole argument) becomes the batch's unit ids, one argument each; without {} they are appended.
            The command's exit status never stops the loop: results come from its report (--report), matched
            to units by file (pytest node ids by file and name, file:line by line), else from the exit status.
            Each batch's report is uploaded into the run as shard <worker>.<batch>. Ctrl-C or SIGTERM passes
            the signal to the command, gives the batch back, and exits 130 or 143.
            """)

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let env = context.environment
        guard !arguments.command.isEmpty else {
            throw UsageError("no command to run: put it after --, e.g. verdict run --units 'tests/**/*.spec.ts' -- npx playwright test {}")
        }
        guard ChildProcess.resolve(arguments.command[0], path: env["PATH"]) != nil else {
            throw UsageError("\(arguments.command[0]): command not found")
        }
        let format = try CommandContext.reportFormat(arguments.value("format"))
        let units = try collectUnits(arguments)
        let unitLabels = try UnitLabelRules(arguments.all("unit-label"))
        let template = CommandTemplate(arguments: arguments.command, reportPattern: arguments.value("report"))
        var durations: Durations?
        if let path = arguments.value("durations") {
            // Weights are hints: without them the orchestrator estimates, so a bad file only warns.
            do { durations = try PlanCommand.loadDurations(path) } catch { Console.note("durations not used: \(error)") }
        }
        if arguments.flag("dry-run") {
            for unit in units {
                let labels = unitLabels.labels(of: unit)
                Console.out(
                    labels.isEmpty ? unit : unit + "  [" + labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",") + "]")
            }
            Console.note("command: " + template.argv(units: units, worker: "WORKER", batch: 1).joined(separator: " "))
            return ExitStatus.success
        }

        let leaseSeconds = try arguments.integer("lease-seconds", in: 5...86_400)
        let options = OrchestrationOptions(
            leaseSeconds: leaseSeconds, idleTimeoutSeconds: try arguments.integer("idle-timeout", in: 10...604_800),
            retests: try arguments.integer("retests", in: 0...10), failFast: arguments.flag("fail-fast"),
            expectedWorkers: try arguments.integer("expected-workers", in: 1...10_000) ?? env["CI_NODE_TOTAL"].flatMap { Int($0) })
        let identity = try context.identity(arguments)
        let worker = IdentityResolver.workerName(
            flag: arguments.value("worker"), environment: env, host: hostName(), processID: getpid())

        // Signals are taken over before the first request, so a Ctrl-C during begin or a retry's
        // pause is handled the same way as during a batch.
        let signals = SignalInbox()
        let config = try APIConfig.resolve(arguments, environment: env)
        let client = APIClient(config: config, transport: CurlTransport(), pause: signals.sleep)
        let orchestration = OrchestrationAPI(client: client)
        let specs = units.map { unit in
            UnitSpec(id: unit, weightMs: durations?.milliseconds(of: unit).map { Int($0.rounded()) }, labels: unitLabels.labels(of: unit))
        }
        let begun: OrchestrationAPI.Begun
        do {
            begun = try orchestration.begin(identity: identity, units: specs, options: options)
        } catch {
            if error.kind == .interrupted { return ExitStatus.interrupted(by: signals.termination ?? SIGTERM) }
            if error.code == "units_mismatch" {
                Console.note(
                    "another worker began this run with other units: every worker must find the same units (same globs, same checkout)")
            }
            throw error
        }
        Console.note(
            "run \(begun.runID) (\(begun.created ? "opened" : "joined"), \(begun.unitsTotal ?? units.count) units), worker \(worker): \(config.runPage(begun.runID))"
        )
        var settings = WorkerSettings(
            runID: begun.runID, worker: worker, template: template, format: format, attachmentsDirectory: arguments.value("attachments"),
            uploadReports: !arguments.flag("no-upload"), leaseSeconds: leaseSeconds ?? 300, environment: env)
        settings.labels = try WorkerLabels.parse(
            arguments.all("label") + (env["VERDICT_LABELS"].map { WorkerLabels.split($0) } ?? []))
        let status = Worker(orchestration: orchestration, uploader: ReportUploader(client: client), signals: signals, settings: settings)
            .run()
        Console.note("run page: \(config.runPage(begun.runID))")
        return status
    }

    /// The units from `--units` globs or `--units-from`, sorted and without duplicates.
    static func collectUnits(_ arguments: ParsedArguments) throws -> [String] {
        let patterns = arguments.all("units")
        var units: [String]
        if let source = arguments.value("units-from") {
            guard patterns.isEmpty else { throw UsageError("give --units or --units-from, not both") }
            let bytes = source == "-" ? try FileSystem.readStandardInput() : try FileSystem.read(source)
            units = UnitList.parse(String(decoding: bytes, as: UTF8.self))
            let excluded = arguments.all("exclude").flatMap(Glob.compile)
            units.removeAll { unit in excluded.contains { $0.matches(unit) } }
        } else {
            guard !patterns.isEmpty else { throw UsageError("no units: give --units GLOB or --units-from FILE") }
            let outcome = try UnitExpansion().expand(patterns, excluding: arguments.all("exclude"))
            for pattern in outcome.unmatched { Console.note("--units '\(pattern)' matched nothing") }
            units = outcome.units
        }
        guard !units.isEmpty else { throw UsageError("no units found") }
        return units
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "worker" }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return name.isEmpty ? "worker" : name
    }
}
