/// The HTTP methods a presigned object URL can authorise.
public enum S3Method: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case put = "PUT"
    case head = "HEAD"
    case delete = "DELETE"
    /// Multipart uploads: create and complete.
    case post = "POST"
}
