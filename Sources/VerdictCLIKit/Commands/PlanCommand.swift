import VerdictJSON

/// `verdict plan --shard 3/8 --durations FILE --units GLOB…`: this shard's units, offline.
enum PlanCommand: VerdictCommand {
    static let spec = CommandSpec(
        name: "plan", summary: "Print this shard's units from a deterministic plan, without the API (a fallback when it is unreachable).",
        usage: "verdict plan --shard INDEX/TOTAL [--durations FILE] (--units GLOB… | --units-from FILE|-) [--json]",
        options: [
            OptionSpec("shard", value: "INDEX/TOTAL", help: "which shard of how many (default: $CI_NODE_INDEX/$CI_NODE_TOTAL)"),
            OptionSpec("durations", value: "FILE", help: "pytest-split's .test_durations or {\"units\":[{\"id\",\"duration_ms\"}]}"),
            OptionSpec("units", .repeated, value: "GLOB", help: "test files to split (** for any depth; repeatable)"),
            OptionSpec("exclude", .repeated, value: "GLOB", help: "leave out units matching GLOB (repeatable)"),
            OptionSpec("units-from", value: "FILE", help: "read unit ids one per line from FILE, or - for stdin"),
            OptionSpec("json", .flag, help: "print the shard's units and estimates as JSON"),
        ],
        details: """
            Longest processing time first (the dispatcher's static planner): units sorted by their last known
            duration, each to the least loaded shard, ties by id; a unit without a duration takes the median of
            its folder's known units, else of all known units. Every shard computes the same plan from the same
            files, so together they run every unit once, longest first. A missing or unreadable durations file
            is not an error: the plan then splits by count.
            """)

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard let shard = try ShardSpec.resolve(flag: arguments.value("shard"), environment: context.environment),
            let index = shard.index, let total = shard.total
        else { throw UsageError("give --shard INDEX/TOTAL, e.g. --shard 3/8") }
        let units = try RunCommand.collectUnits(arguments)
        var durations: Durations?
        if let path = arguments.value("durations") {
            do {
                durations = try loadDurations(path)
            } catch {
                // The point of `plan` is that CI still runs: without durations it splits by count.
                Console.note("durations not used (\(error)); splitting by count")
            }
        }
        let plan = OfflinePlan.plan(units, durations: durations, shards: total)
        let mine = plan.shards[index - 1]
        let known = plan.known
        if arguments.flag("json") {
            let shardMs = plan.expectedMs[index - 1]
            Console.out(
                JSON.object(
                    JSONObject([
                        ("shard", .int(Int64(index))), ("total", .int(Int64(total))), ("units", JSON(mine)),
                        ("expected_ms", .int(Int64(shardMs.rounded()))), ("units_with_durations", .int(Int64(known))),
                        ("units_in_all", .int(Int64(units.count))),
                    ])
                ).text)
        } else {
            for unit in mine { Console.out(unit) }
        }
        Console.note("shard \(index)/\(total): \(mine.count) of \(units.count) units (\(known) with known durations)")
        return ExitStatus.success
    }

    static func loadDurations(_ path: String) throws -> Durations {
        try Durations.parse(try FileSystem.read(path))
    }
}
