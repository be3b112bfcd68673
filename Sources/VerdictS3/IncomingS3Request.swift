/// A request as an S3-compatible server received it, before any decoding: the
/// signature covers the client's bytes, so nothing may be normalised away first.
public struct IncomingS3Request: Sendable {
    public var method: String
    /// Percent-encoded path, including any prefix the server is mounted under.
    public var rawPath: String
    /// Everything after `?`, still percent-encoded; empty when there is none.
    public var rawQuery: String
    public var headers: [(name: String, value: String)]
    /// The scheme the client used, which decides whether a `:80`/`:443` in `Host` is a
    /// default port that signers leave out.
    public var scheme: String

    public init(
        method: String, rawPath: String, rawQuery: String, headers: [(name: String, value: String)],
        scheme: String = "http"
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.scheme = scheme
    }

    /// Splits an HTTP request-target such as `/bucket/key?X-Amz-Algorithm=...`.
    public init(method: String, target: String, headers: [(name: String, value: String)], scheme: String = "http") {
        let question = target.firstIndex(of: "?")
        self.init(
            method: method,
            rawPath: String(target[..<(question ?? target.endIndex)]),
            rawQuery: question.map { String(target[target.index(after: $0)...]) } ?? "",
            headers: headers, scheme: scheme)
    }
}
