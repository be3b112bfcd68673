import VerdictJSON
import VerdictReports
import VerdictS3

/// An attachment's bytes as they sit in the artifacts bucket.
struct StoredObject: Sendable, Equatable {
    var key: String
    var size: Int
    /// What the uploader declared (or the report, for embedded content).
    var contentType: String?
}

/// Finds where the bytes of a report's attachments are: a file uploaded with the report (a
/// report names its attachments by the path on the CI machine, the upload by a relative name),
/// or content embedded in the report, which is moved to the bucket here.
final class AttachmentResolver {
    /// Embedded content beyond this, per report, is kept as metadata only: a report that
    /// inlines gigabytes of video is a mistake, not something to copy around.
    static let inlineBudget = 64 * 1024 * 1024

    private let uploaded: [String: StoredObject]
    private let store: ObjectStore?
    private let reportID: String
    private var inlineBytesStored = 0
    private(set) var warnings: [String] = []

    init(uploaded: [String: StoredObject], store: ObjectStore?, reportID: String) {
        self.uploaded = uploaded
        self.store = store
        self.reportID = reportID
    }

    func resolve(_ attachment: ParsedAttachment, id: String) throws -> StoredObject? {
        if let path = attachment.path, let file = match(path) { return file }
        if let file = uploaded[attachment.name] { return file }
        guard let inline = attachment.inlineBase64, let store else { return nil }
        guard let bytes = Base64.decode(inline) else {
            warn("attachment '\(attachment.name)' has embedded content that is not valid base64; kept its name only")
            return nil
        }
        guard inlineBytesStored + bytes.count <= Self.inlineBudget else {
            warn("embedded attachments exceed \(Self.inlineBudget / 1_048_576) MiB; '\(attachment.name)' kept its name only")
            return nil
        }
        let key = "reports/\(reportID)/inline/\(id)"
        try store.put(key, bytes: bytes, contentType: attachment.contentType ?? "application/octet-stream")
        inlineBytesStored += bytes.count
        return StoredObject(key: key, size: bytes.count, contentType: attachment.contentType)
    }

    /// The uploaded file whose name is the longest trailing part of `path`:
    /// `/home/runner/work/app/test-results/a/shot.png` matches `test-results/a/shot.png`.
    private func match(_ path: String) -> StoredObject? {
        guard !uploaded.isEmpty else { return nil }
        let normalized = String(path.map { $0 == "\\" ? "/" : $0 })
        if let file = uploaded[normalized] { return file }
        var rest = Substring(normalized)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if let file = uploaded[String(rest)] { return file }
        }
        return nil
    }

    private func warn(_ message: String) {
        if warnings.count < 20 { warnings.append(message) }
    }
}
