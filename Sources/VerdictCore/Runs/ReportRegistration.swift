import HTTPContract
import VerdictCrypto
import VerdictDB
import VerdictReports
import VerdictS3

/// A file the uploader promises to put in the bucket: the report itself or an attachment.
public struct DeclaredFile: Sendable, Equatable {
    public enum Kind: String, Sendable, PostgresTextDecodable { case report, attachment }

    public static let maximumSize: Int64 = 5 * 1024 * 1024 * 1024
    public static let maximumCount = 10_000

    public var name: String
    public var kind: Kind
    public var size: Int64
    public var sha256: String
    public var contentType: String?

    /// Checks a declaration; `field` is where it sits in the request (`files[3]`).
    public init(
        name: String?, kind: String?, size: Int64?, sha256: String?, contentType: String?, field: String
    ) throws(ServiceError) {
        guard let name, !name.isEmpty else { throw .invalid(field: "\(field).name", reason: "is required") }
        guard name.utf8.count <= 512 else { throw .invalid(field: "\(field).name", reason: "must be at most 512 bytes") }
        guard !name.hasPrefix("/"), !name.contains("\\"), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else {
            throw .invalid(
                field: "\(field).name",
                reason: "'\(name)' must be a relative path with '/' separators, without empty, '.' or '..' segments or control characters")
        }
        self.name = name
        guard let kindName = kind, let kind = Kind(rawValue: kindName) else {
            throw .invalid(field: "\(field).kind", reason: "must be 'report' or 'attachment'")
        }
        self.kind = kind
        guard let size, (0...Self.maximumSize).contains(size) else {
            throw .invalid(field: "\(field).size", reason: "must be the file's size in bytes, at most 5 GiB")
        }
        self.size = size
        let digest = (sha256 ?? "").lowercased()
        guard digest.utf8.count == 64, Crypto.fromHex(digest) != nil else {
            throw .invalid(field: "\(field).sha256", reason: "must be the file's SHA-256 as 64 hexadecimal digits")
        }
        self.sha256 = digest
        if let contentType, contentType.utf8.count > 200 || contentType.contains("\n") {
            throw .invalid(field: "\(field).content_type", reason: "must be a MIME type")
        }
        self.contentType = contentType
    }

    func objectKey(reportID: ReportID) -> String { "reports/\(reportID.text)/\(name)" }
}

/// A PUT the client makes straight to the bucket.
public struct UploadTarget: Sendable, Equatable {
    public var name: String
    public var kind: DeclaredFile.Kind
    public var url: String
}

public struct Registration: Sendable {
    public var runID: RunID
    public var reportID: ReportID
    public var shard: String
    public var status: ReportStatus
    public var created: Bool
    public var uploads: [UploadTarget]
    public var expiresIn: Int
}

/// Registers a shard's report and hands out presigned PUT URLs for its files. Registering the
/// same shard again is safe: before completion it replaces the file list (a retried CI job may
/// have produced new files), after completion it only confirms what is there.
public struct ReportRegistrar {
    public static let uploadExpiry = 3600

    let db: PostgresConnection
    let store: ObjectStore

    public init(db: PostgresConnection, store: ObjectStore) {
        self.db = db
        self.store = store
    }

    public func register(
        _ runID: RunID, for access: TeamAccess, shard: String, format: ReportFormat?, files: [DeclaredFile]
    ) throws -> Registration {
        try Self.validate(files)
        let (reportID, status, created) = try db.transaction {
            try reserve(runID, for: access, shard: shard, format: format, files: files)
        }
        var uploads: [UploadTarget] = []
        if status == .registered {
            for file in files {
                let url = try store.presignedURL(.put, key: file.objectKey(reportID: reportID), expiresIn: Self.uploadExpiry)
                uploads.append(UploadTarget(name: file.name, kind: file.kind, url: url))
            }
        }
        return Registration(
            runID: runID, reportID: reportID, shard: shard, status: status, created: created, uploads: uploads,
            expiresIn: Self.uploadExpiry)
    }

    static func validate(_ files: [DeclaredFile]) throws(ServiceError) {
        guard !files.isEmpty else { throw .invalid(field: "files", reason: "must list the report file") }
        guard files.count <= DeclaredFile.maximumCount else {
            throw .invalid(field: "files", reason: "may list at most \(DeclaredFile.maximumCount) files")
        }
        let reports = files.filter { $0.kind == .report }.count
        guard reports == 1 else {
            throw .invalid(field: "files", reason: "must contain exactly one file of kind 'report' (found \(reports))")
        }
        var seen = Set<String>()
        for file in files where !seen.insert(file.name).inserted {
            throw .invalid(field: "files", reason: "lists '\(file.name)' twice")
        }
    }

    /// Creates or refreshes the report row and its file list, inside the caller's transaction,
    /// with the run's row locked so two shards cannot both take the last free slot.
    func reserve(
        _ runID: RunID, for access: TeamAccess, shard: String, format: ReportFormat?, files: [DeclaredFile]
    ) throws -> (reportID: ReportID, status: ReportStatus, created: Bool) {
        let run = try RunService(db: db).run(runID, for: access, lock: true)
        if let existing = try db.query("SELECT id, status FROM reports WHERE run_id = $1 AND shard = $2", [runID.text, shard]).first {
            let reportID = try existing.decode("id", as: ReportID.self)
            let declared = try db.query(
                "SELECT name, kind, size, sha256 FROM report_files WHERE report_id = $1 ORDER BY name", [reportID.text]
            ).rows.map { row in
                try ["name", "kind", "size", "sha256"].map { try row.decode($0, as: String.self) }.joined(separator: "|")
            }
            let requested = files.map { "\($0.name)|\($0.kind.rawValue)|\($0.size)|\($0.sha256)" }.sorted()
            if try existing.decode("status", as: ReportStatus.self) == .completed {
                guard declared == requested else {
                    throw ServiceError.refused(
                        .reportCompleted,
                        "shard '\(shard)' of this run is already complete with different files; upload under another shard")
                }
                return (reportID, .completed, false)
            }
            if declared != requested {
                try db.query("DELETE FROM report_files WHERE report_id = $1", [reportID.text])
                try insertFiles(files, reportID: reportID)
            }
            try db.query("UPDATE reports SET requested_format = $2 WHERE id = $1", [reportID.text, format?.rawValue])
            try touch(runID)
            return (reportID, .registered, false)
        }

        let count = try db.query("SELECT count(*) AS n FROM reports WHERE run_id = $1", [runID.text]).first!.decode("n", as: Int.self)
        // An orchestration's workers upload one report per batch, as many as the queue needs.
        guard run.orchestrated || count < run.totalReportsExpected else {
            throw ServiceError.refused(
                .tooManyReports,
                "this run expects \(run.totalReportsExpected) report(s) and all of them are registered; shard '\(shard)' would be one too many"
            )
        }
        let reportID = ReportID(Identifier.timeOrderedKey())
        try db.query(
            "INSERT INTO reports (id, run_id, shard, requested_format) VALUES ($1, $2, $3, $4)",
            [reportID.text, runID.text, shard, format?.rawValue])
        try insertFiles(files, reportID: reportID)
        try touch(runID)
        return (reportID, .registered, true)
    }

    private func insertFiles(_ files: [DeclaredFile], reportID: ReportID) throws {
        try db.query(
            """
            INSERT INTO report_files (report_id, name, kind, size, sha256, content_type, object_key)
            SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
            """,
            [
                reportID.text, postgresTextArray(files.map(\.name)), postgresTextArray(files.map(\.kind.rawValue)),
                postgresTextArray(files.map { String($0.size) }), postgresTextArray(files.map(\.sha256)),
                postgresNullableTextArray(files.map(\.contentType)),
                postgresTextArray(files.map { $0.objectKey(reportID: reportID) }),
            ])
    }

    /// Activity keeps a run out of the reaper's hands, and reopens one it already closed.
    private func touch(_ runID: RunID) throws {
        try db.query(
            """
            UPDATE runs SET last_activity_at = now(), status = CASE WHEN status = 'incomplete' THEN 'running' ELSE status END
            WHERE id = $1
            """, [runID.text])
    }
}
