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
    public func report(_ reportID: ReportID, as viewer: Viewer) throws -> String {
        guard
            let row = try db.query(
                """
                SELECT f.name, f.object_key, f.verified_at IS NOT NULL AS verified
                FROM reports rep JOIN runs r ON r.id = rep.run_id JOIN projects p ON p.id = r.project_id \(Visibility.join())
                LEFT JOIN report_files f ON f.report_id = rep.id AND f.kind = 'report'
                WHERE rep.id = $1 AND \(Visibility.condition(viewer: "$2"))
                """, [reportID.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(reportID.named) }
        guard let name = try row.decodeIfPresent("name", as: String.self), let key = try row.decodeIfPresent("object_key", as: String.self)
        else {
            throw ServiceError.notFound("the report file of \(reportID.named)")
        }
        guard try row.decode("verified", as: Bool.self) else {
            throw ServiceError.refused(.reportNotUploaded, "the report file \(name) of \(reportID.named) has not been uploaded yet")
        }
        return try link(key: key, name: name)
    }

    public func attachment(_ attachmentID: AttachmentID, as viewer: Viewer) throws -> String {
        guard
            let row = try db.query(
                """
                SELECT a.name, a.path, a.object_key, a.content_type
                FROM attachments a JOIN reports rep ON rep.id = a.report_id JOIN runs r ON r.id = rep.run_id JOIN projects p ON p.id = r.project_id \(Visibility.join())
                WHERE a.id = $1 AND \(Visibility.condition(viewer: "$2"))
                """, [attachmentID.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(attachmentID.named) }
        let name = try row.decode("name", as: String.self)
        let path = try row.decodeIfPresent("path", as: String.self)
        guard let key = try row.decodeIfPresent("object_key", as: String.self) else {
            let origin = path.map { "only its original path \($0) is known" } ?? "it has no original path either"
            throw ServiceError.refused(.attachmentNotStored, "attachment \(name) was not uploaded with its report: \(origin)")
        }
        // Screenshots, videos and logs open in the browser; traces, archives (and anything that
        // could run script) download under their real name.
        let type = try row.decodeIfPresent("content_type", as: String.self)
        return try store.presignedURL(
            .get, key: key, expiresIn: Self.expirySeconds, downloadFilename: MediaType.downloadName(name: name, path: path, type: type),
            inline: MediaType.showsInline(type), responseContentType: MediaType.forDownload(type))
    }

    /// Browsers save the download under the file's own name, not the folders it came from.
    func link(key: String, name: String) throws -> String {
        let filename = name.split(separator: "/").last.map(String.init) ?? name
        return try store.presignedURL(.get, key: key, expiresIn: Self.expirySeconds, downloadFilename: filename)
    }
}

/// The beginning of a text attachment, for a page to show in place.
public struct AttachmentText: Sendable {
    public var text: String
    public var isTruncated: Bool
}

extension DownloadLinks {
    /// Up to `maxBytes` of each stored text attachment among `attachments` (which the caller
    /// read for a viewer who may see them), read from the bucket.
    public func texts(of attachments: [AttachmentRecord], maxBytes: Int = 64 * 1024) throws -> [AttachmentID: AttachmentText] {
        let wanted = attachments.filter { attachment in
            attachment.isStored && MediaType.showsInline(attachment.contentType)
                && MediaType.essence(attachment.contentType ?? "").hasPrefix("text/")
        }
        guard !wanted.isEmpty else { return [:] }
        let keys = try db.query(
            "SELECT id, object_key FROM attachments WHERE id = ANY ($1::uuid[]) AND object_key IS NOT NULL",
            [postgresTextArray(wanted.map(\.id.text))])
        var texts: [AttachmentID: AttachmentText] = [:]
        for row in keys.rows {
            let id = try row.decode("id", as: AttachmentID.self)
            let size = wanted.first { $0.id == id }?.size
            guard size != 0 else {
                texts[id] = AttachmentText(text: "", isTruncated: false)
                continue
            }
            // A range asks for no more than the preview, however large the log.
            let bytes = try store.get(try row.decode("object_key"), range: 0...(maxBytes - 1))
            texts[id] = AttachmentText(
                text: String(decoding: bytes.prefix(maxBytes), as: UTF8.self), isTruncated: (size ?? 0) > Int64(maxBytes))
        }
        return texts
    }
}
