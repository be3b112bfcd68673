import VerdictJSON
import VerdictReports

/// A file to register: its name on the server, where it is here, and what `register` needs.
public struct UploadFile: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case report, attachment }

    public var name: String
    public var path: String
    public var kind: Kind
    public var size: Int
    public var sha256: String
    public var contentType: String?

    /// Hashes the file (through a mapping, so a large one is not read into memory).
    public static func prepare(path: String, name: String, kind: Kind) throws(FileError) -> UploadFile {
        let (hex, size) = try FileSystem.sha256(of: path)
        return UploadFile(name: name, path: path, kind: kind, size: size, sha256: hex, contentType: ContentType.guess(name))
    }

    var declaration: JSON {
        var object = JSONObject([
            ("name", .string(name)), ("kind", .string(kind.rawValue)), ("size", .int(Int64(size))), ("sha256", .string(sha256)),
        ])
        if let contentType { object["content_type"] = .string(contentType) }
        return .object(object)
    }
}

/// What `complete` said about an uploaded report.
public struct UploadedReport: Sendable, Equatable {
    public var shard: String
    public var reportID: String
    public var format: String?
    public var summary: JSON
    public var duplicate: Bool

    /// `412 tests: 400 passed, 2 failed, 10 skipped (junit)`.
    public var line: String {
        func count(_ key: String) -> Int64 { summary[key]?.intValue ?? 0 }
        var parts = ["\(count("passed")) passed"]
        for key in ["failed", "errors", "flaky", "skipped"] where count(key) > 0 { parts.append("\(count(key)) \(key)") }
        return "shard \(shard): \(count("tests")) tests: " + parts.joined(separator: ", ") + (format.map { " (\($0))" } ?? "")
            + (duplicate ? ", already uploaded" : "")
    }
}

/// The multi-shard upload: `reports/begin` once, then per shard `register`, a presigned PUT per
/// file, and `complete`.
public struct ReportUploader {
    let client: APIClient

    public init(client: APIClient) {
        self.client = client
    }

    public func begin(identity: RunIdentity, totalReportsExpected: Int) throws(APIError) -> String {
        var body = JSONObject(identity.fields)
        body["total_reports_expected"] = .int(Int64(totalReportsExpected))
        let (_, json) = try client.call("POST", "/api/v1/reports/begin", json: .object(body))
        guard let runID = json["run_id"]?.stringValue else { throw APIError(.invalidResponse, "reports/begin: no run_id in the answer") }
        return runID
    }

    /// Registers, uploads and completes one shard.
    /// - Parameter renameOnConflict: when the shard name is already complete with other files
    ///   (409 `report_completed`: a retried CI job reusing its worker's name), register as
    ///   `name.2`, `name.3`, … instead of failing.
    public func upload(
        runID: String, shard: String, format: String?, report: UploadFile, attachments: [UploadFile], renameOnConflict: Bool = false
    ) throws(APIError) -> UploadedReport {
        var name = shard
        var suffix = 1
        while true {
            do {
                return try uploadOnce(runID: runID, shard: name, format: format, files: [report] + attachments)
            } catch {
                guard renameOnConflict, error.code == "report_completed", suffix < 20 else { throw error }
                suffix += 1
                name = "\(shard).\(suffix)"
            }
        }
    }

    private func uploadOnce(runID: String, shard: String, format: String?, files: [UploadFile]) throws(APIError) -> UploadedReport {
        var body = JSONObject([("run_id", .string(runID)), ("shard", .string(shard)), ("files", .array(files.map(\.declaration)))])
        if let format { body["format"] = .string(format) }
        let (_, registration) = try client.call("POST", "/api/v1/reports/register", json: .object(body))
        guard let reportID = registration["report_id"]?.stringValue else {
            throw APIError(.invalidResponse, "reports/register: no report_id in the answer")
        }
        for upload in registration["uploads"]?.arrayValue ?? [] {
            guard let name = upload["name"]?.stringValue, let url = upload["url"]?.stringValue,
                let file = files.first(where: { $0.name == name })
            else { throw APIError(.invalidResponse, "reports/register: an upload names no registered file") }
            try put(file, to: absolute(url))
        }
        let completePath = registration["complete_url"]?.stringValue ?? "/api/v1/reports/\(APIClient.segment(reportID))/complete"
        let (_, summary) = try client.call("POST", completePath)
        return UploadedReport(
            shard: summary["shard"]?.stringValue ?? shard, reportID: reportID, format: summary["format"]?.stringValue,
            summary: summary["summary"] ?? .null, duplicate: summary["duplicate"]?.boolValue ?? false)
    }

    /// A presigned PUT straight to storage: no API key (the URL is the credential), a time limit
    /// that grows with the size (2 minutes plus one second per 256 KiB).
    func put(_ file: UploadFile, to url: String) throws(APIError) {
        let request = HTTPRequest(
            method: "PUT", url: url, headers: [("User-Agent", "verdict-cli")], body: .file(path: file.path, size: file.size),
            timeoutMilliseconds: 120_000 + file.size / 256)
        let reply = try client.send(request, what: "PUT \(file.name)")
        guard (200..<300).contains(reply.status) else {
            throw APIError(
                .status(reply.status, code: nil),
                "PUT \(file.name): HTTP \(reply.status) \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
        }
    }

    func absolute(_ url: String) -> String {
        url.hasPrefix("/") ? client.config.baseURL + url : url
    }
}

/// Attachments from `--attachments DIR`: every file below it, named as reports refer to them.
public enum Attachments {
    public struct Candidate: Sendable, Equatable {
        public var name: String
        public var path: String
    }

    /// Files below `directory`, named `DIR/relative/path` with DIR as given (without `./`), so
    /// that `test-results/a/shot.png` matches the report's `/home/runner/work/app/test-results/a/shot.png`.
    /// An absolute DIR (or one with `..`) contributes its last component only. Hidden files are
    /// skipped; names over the API's 512 bytes are left out.
    public static func collect(_ directory: String) throws(FileError) -> [Candidate] {
        guard FileSystem.kind(of: directory) == .directory else { throw FileError(path: directory, reason: "not a directory") }
        let parts = UnitKey.components(of: Substring(directory))
        let prefix: [String] = directory.hasPrefix("/") || parts.contains("..") ? Array(parts.suffix(1)) : parts
        var found: [Candidate] = []
        try walk(directory, names: prefix, into: &found)
        return found
    }

    private static func walk(_ directory: String, names: [String], into found: inout [Candidate]) throws(FileError) {
        for entry in try FileSystem.entries(of: directory) where entry.name.first != "." {
            let path = directory.hasSuffix("/") ? directory + entry.name : directory + "/" + entry.name
            switch entry.kind {
            case .file?:
                let name = (names + [entry.name]).joined(separator: "/")
                if name.utf8.count <= 512 { found.append(Candidate(name: name, path: path)) }
            case .directory?:
                try walk(path, names: names + [entry.name], into: &found)
            default: break
            }
        }
    }

    /// The attachment paths a report refers to (screenshots, videos, traces on the CI machine).
    public static func paths(in reportPath: String, format: ReportFormat?) -> Set<String> {
        var sink = PathSink()
        _ = try? ReportParser.parse(file: reportPath, format: format, into: &sink)
        return sink.paths
    }

    /// Whether a file registered as `name` is the one a report refers to as `path`: the name
    /// must be the end of the path, component by component, as the API links them.
    public static func name(_ name: String, endsPath path: String) -> Bool {
        let nameParts = UnitKey.components(of: Substring(name))
        let pathParts = UnitKey.components(of: Substring(path))
        return !nameParts.isEmpty && pathParts.count >= nameParts.count && pathParts.suffix(nameParts.count).elementsEqual(nameParts)
    }

    public static func referenced(_ candidates: [Candidate], by paths: Set<String>) -> [Candidate] {
        candidates.filter { candidate in paths.contains { name(candidate.name, endsPath: $0) } }
    }

    struct PathSink: ReportSink {
        var paths = Set<String>()

        mutating func accept(_ testCase: ParsedCase) throws(ReportSinkError) {
            for attachment in testCase.attachments { if let path = attachment.path { paths.insert(path) } }
        }
    }
}

enum ContentType {
    static func guess(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "xml": return "application/xml"
        case "json": return "application/json"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "svg": return "image/svg+xml"
        case "webm": return "video/webm"
        case "mp4": return "video/mp4"
        case "zip": return "application/zip"
        case "txt", "log": return "text/plain"
        case "html", "htm": return "text/html"
        default: return nil
        }
    }
}
