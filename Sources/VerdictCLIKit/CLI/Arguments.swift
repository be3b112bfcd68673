/// A mistake on the command line; the message says what to fix. Exit status 2.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One `--option` a command takes.
public struct OptionSpec: Sendable {
    public enum Arity: Sendable, Equatable {
        /// `--json`: present or not.
        case flag
        /// `--project shop`: the last one given wins.
        case single
        /// `--units 'a/**' --units 'b/**'`: every one is kept, in order.
        case repeated
    }

    public var name: String
    public var arity: Arity
    public var valueName: String
    public var help: String

    public init(_ name: String, _ arity: Arity = .single, value valueName: String = "VALUE", help: String) {
        self.name = name
        self.arity = arity
        self.valueName = valueName
        self.help = help
    }
}

/// What a command accepts: its options, how many positional arguments, and whether a command
/// follows `--`.
public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    public var usage: String
    public var options: [OptionSpec]
    public var positionals: ClosedRange<Int>
    /// Whether the words after `--` are a command to run (`verdict run … -- npx playwright test {}`).
    public var takesCommand: Bool
    public var details: String

    public init(
        name: String, summary: String, usage: String, options: [OptionSpec], positionals: ClosedRange<Int> = 0...0,
        takesCommand: Bool = false, details: String = ""
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.options = options
        self.positionals = positionals
        self.takesCommand = takesCommand
        self.details = details
    }

    public var helpText: String {
        let width = min(34, (options.map { optionLabel($0).count }.max() ?? 0) + 2)
        var lines = ["usage: \(usage)", "", summary]
        if !details.isEmpty { lines += ["", details] }
        lines += ["", "options:"]
        for option in options {
            let label = optionLabel(option)
            let pad =
                label.count < width ? String(repeating: " ", count: width - label.count) : "\n" + String(repeating: " ", count: width + 2)
            lines.append("  \(label)\(pad)\(option.help)")
        }
        lines.append("  --help" + String(repeating: " ", count: max(1, width - 6)) + "show this help")
        return lines.joined(separator: "\n")
    }

    private func optionLabel(_ option: OptionSpec) -> String {
        option.arity == .flag ? "--\(option.name)" : "--\(option.name) \(option.valueName)"
    }
}

/// A command line read against a `CommandSpec`.
public struct ParsedArguments: Sendable, Equatable {
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []
    /// The words after `--`, for commands that run one.
    public var command: [String] = []
    public var helpRequested = false

    public init() {}

    public func value(_ name: String) -> String? { values[name]?.last }
    public func all(_ name: String) -> [String] { values[name] ?? [] }
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// A whole number within `range`, when the option was given.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// Reads `arguments` (without the program and command names). Options may come before,
    /// between or after positionals; `--name=value` and `--name value` both work; an unknown
    /// option is an error rather than a positional, so a typo never runs as a file name.
    public static func parse(_ arguments: [String], as spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                let rest = Array(arguments[index...])
                if spec.takesCommand { parsed.command = rest } else { parsed.positionals += rest }
                break
            }
            if argument == "--help" || argument == "-h" {
                parsed.helpRequested = true
                continue
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.positionals.append(argument)
                continue
            }
            guard argument.hasPrefix("--") else { throw UsageError("unknown option '\(argument)' (options are spelled --name)") }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError(
                    "unknown option '--\(name)' for 'verdict \(spec.name)'"
                        + (spec.takesCommand ? " (put the test command after --)" : "") + "; see 'verdict \(spec.name) --help'")
            }
            switch option.arity {
            case .flag:
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                parsed.flags.insert(name)
            case .single, .repeated:
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("--\(name) needs a value (\(option.valueName))") }
                    value = arguments[index]
                    index += 1
                }
                if option.arity == .single { parsed.values[name] = [value] } else { parsed.values[name, default: []].append(value) }
            }
        }
        if parsed.helpRequested { return parsed }
        guard spec.positionals.contains(parsed.positionals.count) else {
            if parsed.positionals.count > spec.positionals.upperBound {
                let extra = parsed.positionals[spec.positionals.upperBound]
                throw UsageError(
                    "unexpected argument '\(extra)'" + (spec.takesCommand ? " (put the test command after --)" : "")
                        + "; usage: \(spec.usage)")
            }
            throw UsageError("missing argument; usage: \(spec.usage)")
        }
        return parsed
    }
}
