/// Inputs the presigner refuses rather than signing a URL S3 would reject.
public enum SigV4PresignError: Error, Sendable, Hashable {
    case invalidEndpoint(String)
    /// Bucket names are limited to `[A-Za-z0-9._-]{1,255}`, as botocore validates.
    case invalidBucketName(String)
    case emptyKey
    /// S3 accepts 1 second up to 7 days (604800 seconds).
    case expiryOutOfRange(Int)
    /// `host` is derived from the endpoint; other names must be HTTP tokens and unique
    /// ignoring case.
    case invalidHeader(String)
}
