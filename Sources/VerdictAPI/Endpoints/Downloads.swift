import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictS3

/// The object store a download handler signs its links with, made on first use and kept, like
/// the database connection, for the life of the process.
struct DownloadSigner {
    private var store: ObjectStore?

    mutating func links() throws -> DownloadLinks {
        let store = try self.store ?? ObjectStore()
        self.store = store
        return DownloadLinks(db: try Database.shared(), store: store)
    }
}

/// `GET /api/v1/reports/{id}/raw`: 302 to a short-lived download of the report file as uploaded.
public struct DownloadReport: HTTPHandler {
    var signer = DownloadSigner()

    public init() {}

    public mutating func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        .redirect(to: try signer.links().report(id: try request.requiredPathParameter("id")))
    }
}

/// `GET /api/v1/attachments/{id}`: 302 to a short-lived download of a stored attachment.
public struct DownloadAttachment: HTTPHandler {
    var signer = DownloadSigner()

    public init() {}

    public mutating func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        .redirect(to: try signer.links().attachment(id: try request.requiredPathParameter("id")))
    }
}
