import HTTPContract
import VerdictDB
import VerdictS3

/// Short-lived download URLs for stored files. The bytes never pass through a function
/// (Lambda's 6 MB response limit, and time billed while copying): the caller is sent to a
/// presigned GET on the bucket instead.
public struct DownloadLinks {
    /// Long enough to follow a redirect and start a large download, short enough that a
    /// leaked link soon stops working.
    public static let expirySeconds = 300

    let db: PostgresConnection
    let store: ObjectStore

    public init(db: PostgresConnection, store: ObjectStore) {
        self.db = db
        self.store = store
    }

    /// The report file as uploaded, once its upload was verified.
    public func report(id: String) throws -> String {
        let reportID = try ReadParameter.uuid(id, field: "id")
        guard
            let row = try db.query(
                """
                SELECT f.name, f.object_key, f.verified_at IS NOT NULL AS verified
                FROM reports r LEFT JOIN report_files f ON f.report_id = r.id AND f.kind = 'report'
                WHERE r.id = $1
                """, [reportID]
            ).first
        else { throw ServiceError.notFound("report \(reportID)") }
        guard let name = row["name"], let key = row["object_key"] else {
            throw ServiceError.notFound("the report file of report \(reportID)")
        }
        guard row.bool("verified") == true else {
            throw ServiceError.refused(
                .reportNotUploaded, "the report file \(name) of report \(reportID) has not been uploaded yet")
        }
        return try link(key: key, name: name)
    }

    public func attachment(id: String) throws -> String {
        let attachmentID = try ReadParameter.uuid(id, field: "id")
        guard let row = try db.query("SELECT name, path, object_key FROM attachments WHERE id = $1", [attachmentID]).first else {
            throw ServiceError.notFound("attachment \(attachmentID)")
        }
        let name = row.string("name")
        guard let key = row["object_key"] else {
            let origin = row["path"].map { "only its original path \($0) is known" } ?? "it has no original path either"
            throw ServiceError.refused(
                .attachmentNotStored, "attachment \(name) was not uploaded with its report: \(origin)")
        }
        return try link(key: key, name: name)
    }

    /// Browsers save the download under the file's own name, not the folders it came from.
    func link(key: String, name: String) throws -> String {
        let filename = name.split(separator: "/").last.map(String.init) ?? name
        return try store.presignedURL(.get, key: key, expiresIn: Self.expirySeconds, downloadFilename: filename)
    }
}
