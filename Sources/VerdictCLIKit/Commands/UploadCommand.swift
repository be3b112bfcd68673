import VerdictJSON
import VerdictReports

/// `verdict upload FILE… --project NAME [--shard 3/8] [--attachments DIR]`.
enum UploadCommand: VerdictCommand {
    static let spec = CommandSpec(
        name: "upload", summary: "Upload test reports into a run: begin, register, a presigned PUT per file, complete.",
        usage: "verdict upload FILE… [--project NAME] [--shard INDEX/TOTAL|NAME] [--attachments DIR] [options]",
        options: [
            OptionSpec(
                "shard", value: "SHARD",
                help: "INDEX/TOTAL (3/8: the run expects 8 reports) or a name (default: $CI_NODE_INDEX/$CI_NODE_TOTAL, else 1)"),
            OptionSpec("total", value: "N", help: "reports the run expects in all (default: TOTAL of --shard times the files given)"),
            OptionSpec("attachments", value: "DIR", help: "upload the files below DIR as attachments (screenshots, videos, traces)"),
            OptionSpec("format", value: "FORMAT", help: "junit, playwright, mochawesome, jest or ctrf (default: detected)"),
            OptionSpec("json", .flag, help: "print the run and each report's summary as JSON"),
        ] + CommandContext.identityOptions + APIConfig.options,
        positionals: 1...10_000,
        details: """
            Each FILE is one report, so one shard: with several files, shard NAME becomes NAME.1, NAME.2, ….
            With several files and --attachments, each report takes the files it refers to; the rest go
            with the first. Prints the run's page URL.
            """)

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let files = arguments.positionals
        let format = try CommandContext.reportFormat(arguments.value("format"))?.rawValue
        let shard = try ShardSpec.resolve(flag: arguments.value("shard"), environment: context.environment)
        let total = try arguments.integer("total", in: 1...10_000) ?? (shard?.total ?? 1) * files.count
        guard total <= 10_000 else { throw UsageError("the run would expect \(total) reports; at most 10000") }
        let identity = try context.identity(arguments)
        let client = try context.client(arguments)

        // Every file is read and hashed before the run is opened: a typo in a path fails
        // without leaving a run that waits for a report.
        var reports: [UploadFile] = []
        for path in files {
            guard FileSystem.kind(of: path) == .file else { throw FileError(path: path, reason: "not a file") }
            reports.append(try UploadFile.prepare(path: path, name: Worker.fileName(path), kind: .report))
        }
        let attachments = try attachmentsByReport(arguments.value("attachments"), reports: reports, format: format)

        let uploader = ReportUploader(client: client)
        let runID = try uploader.begin(identity: identity, totalReportsExpected: total)
        Console.note("run \(runID): uploading \(files.count) report\(files.count == 1 ? "" : "s")")
        var uploaded: [UploadedReport] = []
        for (index, report) in reports.enumerated() {
            let name: String
            if files.count == 1 {
                name = shard?.name ?? "1"
            } else {
                name = shard.map { "\($0.name).\(index + 1)" } ?? String(index + 1)
            }
            let result = try uploader.upload(
                runID: runID, shard: name, format: format, report: report, attachments: attachments[index])
            Console.note(result.line + (attachments[index].isEmpty ? "" : ", \(attachments[index].count) attachments"))
            uploaded.append(result)
        }
        let page = client.config.runPage(runID)
        if arguments.flag("json") {
            let reportsJSON = uploaded.map { report -> JSON in
                [
                    "shard": .string(report.shard), "report_id": .string(report.reportID), "format": JSON(report.format),
                    "summary": report.summary, "duplicate": .bool(report.duplicate),
                ]
            }
            Console.out(
                JSON.object(JSONObject([("run_id", .string(runID)), ("url", .string(page)), ("reports", .array(reportsJSON))])).text)
        } else {
            Console.out(page)
        }
        return ExitStatus.success
    }

    /// The attachments each report goes up with (see the command's details).
    static func attachmentsByReport(_ directory: String?, reports: [UploadFile], format: String?) throws -> [[UploadFile]] {
        var result = [[UploadFile]](repeating: [], count: reports.count)
        guard let directory else { return result }
        let candidates = try Attachments.collect(directory)
        var assigned = [Int](repeating: 0, count: candidates.count)
        if reports.count > 1 {
            let parsedFormat = format.flatMap { try? ReportFormat.named($0) }
            for (index, report) in reports.enumerated() {
                let paths = Attachments.paths(in: report.path, format: parsedFormat)
                for (candidateIndex, candidate) in candidates.enumerated()
                where paths.contains(where: { Attachments.name(candidate.name, endsPath: $0) }) {
                    result[index].append(try UploadFile.prepare(path: candidate.path, name: candidate.name, kind: .attachment))
                    assigned[candidateIndex] += 1
                }
            }
        }
        for (candidateIndex, candidate) in candidates.enumerated() where assigned[candidateIndex] == 0 {
            result[0].append(try UploadFile.prepare(path: candidate.path, name: candidate.name, kind: .attachment))
        }
        // A report's own file may sit in the attachments folder; it goes up once, as the report.
        for index in result.indices { result[index].removeAll { $0.name == reports[index].name } }
        return result
    }
}
