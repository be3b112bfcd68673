/// `verdict export RUN_ID --junit out.xml [--ctrf out.json]`.
enum ExportCommand: VerdictCommand {
    static let spec = CommandSpec(
        name: "export", summary: "Download a run as JUnit XML and/or CTRF JSON.",
        usage: "verdict export RUN_ID (--junit FILE | --ctrf FILE)…",
        options: [
            OptionSpec("junit", value: "FILE", help: "write the run as JUnit XML to FILE (- for standard output)"),
            OptionSpec("ctrf", value: "FILE", help: "write the run as CTRF JSON to FILE (- for standard output)"),
        ] + APIConfig.options,
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let runID = arguments.positionals[0]
        let targets = [("junit.xml", arguments.value("junit")), ("ctrf.json", arguments.value("ctrf"))].compactMap { document, path in
            path.map { (document, $0) }
        }
        guard !targets.isEmpty else { throw UsageError("give --junit FILE or --ctrf FILE") }
        let client = try context.client(arguments)
        for (document, path) in targets {
            try download(client, path: "/api/v1/runs/\(APIClient.segment(runID))/\(document)", to: path == "-" ? "/dev/stdout" : path)
            if path != "-" { Console.note("wrote \(path)") }
        }
        return ExitStatus.success
    }

    /// A large export is answered with a 302 to a presigned download, fetched without the API
    /// key (the URL is the credential, and storage must not see the key).
    static func download(_ client: APIClient, path: String, to file: String) throws {
        var request = HTTPRequest(
            method: "GET", url: client.config.baseURL + path, headers: client.apiHeaders(), timeoutMilliseconds: 600_000,
            downloadPath: file)
        var reply = try client.send(request, what: "GET \(path)")
        if (300..<400).contains(reply.status), let location = reply.headers["location"] {
            request = HTTPRequest(
                method: "GET", url: location.hasPrefix("/") ? client.config.baseURL + location : location,
                headers: [("User-Agent", "verdict-cli")], timeoutMilliseconds: 600_000, downloadPath: file)
            reply = try client.send(request, what: "GET \(path) (download)")
        }
        guard (200..<300).contains(reply.status) else {
            if file != "/dev/stdout" { try? FileSystem.remove(file) }
            throw APIClient.error(from: reply, what: "GET \(path)")
        }
    }
}
