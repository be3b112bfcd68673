import VerdictReports

#if canImport(Glibc)
    import Glibc
#endif

/// What every command gets: the environment it was started in.
public struct CommandContext: Sendable {
    public var environment: Environment

    public init(environment: Environment) {
        self.environment = environment
    }

    /// The API client for commands that let Ctrl-C end them at once (everything but `run`, which
    /// takes signals itself): pauses between retries are plain sleeps.
    func client(_ arguments: ParsedArguments) throws(UsageError) -> APIClient {
        APIClient(config: try APIConfig.resolve(arguments, environment: environment), transport: CurlTransport(), pause: Self.sleep)
    }

    static func sleep(_ seconds: Double) -> Bool {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        return true
    }

    /// The identity from flags, environment and git (run in the current directory).
    func identity(_ arguments: ParsedArguments) throws(UsageError) -> RunIdentity {
        let environment = self.environment
        return try IdentityResolver.resolve(IdentityFlags(arguments), environment: environment) { gitArguments in
            ChildProcess.lastLine(
                of: ["git"] + gitArguments, environment: environment.entries(overriding: []), path: environment["PATH"])
        }
    }

    /// `--format`, checked against the formats the parsers know.
    static func reportFormat(_ name: String?) throws(UsageError) -> ReportFormat? {
        guard let name else { return nil }
        do { return try ReportFormat.named(name) } catch { throw UsageError(error.message) }
    }

    static let identityOptions: [OptionSpec] = [
        OptionSpec("project", value: "NAME", help: "the project (default: $VERDICT_PROJECT, $GITHUB_REPOSITORY, $CI_PROJECT_PATH)"),
        OptionSpec("commit", value: "SHA", help: "the commit (default: $GITHUB_SHA, $CI_COMMIT_SHA, git rev-parse HEAD)"),
        OptionSpec(
            "branch", value: "NAME", help: "the branch (default: $GITHUB_HEAD_REF, $GITHUB_REF_NAME, $CI_COMMIT_REF_NAME, git)"),
        OptionSpec("ci-run-id", value: "ID", help: "the CI run (default: $GITHUB_RUN_ID, $CI_PIPELINE_ID)"),
        OptionSpec("ci-run-attempt", value: "N", help: "the CI run's attempt (default: $GITHUB_RUN_ATTEMPT, else 1)"),
        OptionSpec("name", value: "NAME", help: "the run's name (default: $GITHUB_WORKFLOW / $GITHUB_JOB, $CI_JOB_NAME)"),
    ]
}

/// One `verdict` subcommand.
protocol VerdictCommand: SendableMetatype {
    static var spec: CommandSpec { get }
    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32
}

/// A command as a value: a list of these, unlike one of command metatypes, is Sendable.
struct Subcommand: Sendable {
    let spec: CommandSpec
    let run: @Sendable (ParsedArguments, CommandContext) throws -> Int32

    init<Command: VerdictCommand>(_ command: Command.Type) {
        spec = command.spec
        run = { try Command.run($0, context: $1) }
    }
}
