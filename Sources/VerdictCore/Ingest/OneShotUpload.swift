import HTTPContract
import VerdictCrypto
import VerdictDB
import VerdictReports
import VerdictS3

/// `POST /reports`: a whole report in the request body. Internally it is the multi-shard flow
/// in one call (register, store the file, ingest), so a retried request finds the report it
/// registered before and the same shard is never stored twice.
public struct OneShotUpload {
    let db: PostgresConnection
    let store: ObjectStore

    public init(db: PostgresConnection, store: ObjectStore) {
        self.db = db
        self.store = store
    }

    public func upload(
        _ identity: RunIdentity, for access: TeamAccess, expected: Int?, shard: String, format: ReportFormat?, filename: String?,
        bytes: [UInt8]
    ) throws -> IngestedReport {
        // Parse before writing anything: a file that is not a report leaves no trace.
        let parsed = try ReportParser.parse(bytes, format: format)
        let name = filename ?? (parsed.format == .junit ? "report.xml" : "report.json")
        let file = try DeclaredFile(
            name: name, kind: "report", size: Int64(bytes.count), sha256: Crypto.hex(Crypto.sha256(bytes)), contentType: nil,
            field: "filename")

        let run = try RunService(db: db).begin(identity, for: access, expected: expected).run
        let registrar = ReportRegistrar(db: db, store: store)
        let reserved = try db.transaction {
            try registrar.reserve(run.id, for: access, shard: shard, format: format, files: [file])
        }
        let ingest = ReportIngest(db: db, store: store)
        if reserved.status == .completed { return try ingest.summary(of: reserved.reportID, alreadyCompleted: true) }
        try store.put(
            file.objectKey(reportID: reserved.reportID), bytes: bytes,
            contentType: parsed.format == .junit ? "application/xml" : "application/json")
        return try ingest.ingest(
            reportID: reserved.reportID, runID: run.id, projectID: run.projectID, uploaded: [:],
            produce: ReportIngest.producer(parsed))
    }
}
