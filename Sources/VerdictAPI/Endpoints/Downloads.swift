import VerdictCore
import VerdictHTTP

/// `GET /api/v1/reports/{id}/raw`: 302 to a short-lived download of the report file as uploaded.
public struct DownloadReport: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let links = DownloadLinks(db: try context.database(), store: try context.objectStore())
        return .redirect(to: try links.report(try request.pathID("id"), as: context.access))
    }
}

/// `GET /api/v1/attachments/{id}`: 302 to a short-lived download of a stored attachment.
public struct DownloadAttachment: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let links = DownloadLinks(db: try context.database(), store: try context.objectStore())
        return .redirect(to: try links.attachment(try request.pathID("id"), as: context.access))
    }
}
