/// The `verdict` command line: finds the subcommand, parses its options, runs it, and turns
/// every error into a message and an exit status (see `ExitStatus`).
public enum VerdictCLI {
    static let commands: [Subcommand] = [
        Subcommand(UploadCommand.self), Subcommand(RunCommand.self), Subcommand(PlanCommand.self), Subcommand(StatusCommand.self),
        Subcommand(GateCommand.self),
        Subcommand(ExportCommand.self),
    ]

    /// - Parameter arguments: the command line without the program name.
    public static func main(_ arguments: [String], environment: Environment) -> Int32 {
        guard let name = arguments.first, name != "--help", name != "-h", name != "help" || arguments.count == 1 else {
            if arguments.first == "help", let command = commands.first(where: { $0.spec.name == arguments[1] }) {
                Console.out(command.spec.helpText)
                return ExitStatus.success
            }
            Console.out(overview)
            return arguments.isEmpty ? ExitStatus.usage : ExitStatus.success
        }
        if name == "help" {
            Console.out(overview)
            return ExitStatus.success
        }
        guard let command = commands.first(where: { $0.spec.name == name }) else {
            Console.note("unknown command '\(name)'; commands: \(commands.map(\.spec.name).joined(separator: ", "))")
            return ExitStatus.usage
        }
        do {
            let parsed = try ParsedArguments.parse(Array(arguments.dropFirst()), as: command.spec)
            if parsed.helpRequested {
                Console.out(command.spec.helpText)
                return ExitStatus.success
            }
            return try command.run(parsed, CommandContext(environment: environment))
        } catch let error as UsageError {
            Console.note(error.message)
            return ExitStatus.usage
        } catch let error as APIError {
            Console.note(error.message)
            if error.kind == .interrupted { return ExitStatus.interrupted(by: 2) }
            return ExitStatus.api
        } catch let error as FileError {
            Console.note(error.description)
            return ExitStatus.file
        } catch {
            Console.note("\(error)")
            return ExitStatus.file
        }
    }

    static var overview: String {
        let width = commands.map(\.spec.name.count).max() ?? 0
        let lines = commands.map { "  \($0.spec.name)" + String(repeating: " ", count: width - $0.spec.name.count + 2) + $0.spec.summary }
        return """
            usage: verdict COMMAND [options]

            commands:
            \(lines.joined(separator: "\n"))

            'verdict COMMAND --help' describes a command. The API is found by --url or VERDICT_URL and
            called with --api-key or VERDICT_API_KEY; the run's identity comes from flags, VERDICT_*,
            GitHub Actions' or GitLab CI's variables, then git.

            exit status: 0 success, 1 tests failed, 2 usage, 3 API error, 4 file error,
            5 run not completed (status), 130/143 interrupted
            """
    }
}
