/// Makes SigV4 query-string presigned URLs for S3 objects, byte-for-byte the same as
/// botocore's `generate_presigned_url` for the same inputs.
public struct SigV4Presigner: Sendable, Hashable {
    public static let maximumExpiry = 604_800

    public var credentials: SigV4Credentials
    public var region: String
    public var service: String
    public var endpoint: S3Endpoint
    public var addressingStyle: S3AddressingStyle

    public init(
        credentials: SigV4Credentials, region: String, endpoint: S3Endpoint,
        addressingStyle: S3AddressingStyle = .virtualHosted, service: String = "s3"
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.endpoint = endpoint
        self.addressingStyle = addressingStyle
    }

    /// - Parameter headers: extra headers to sign (e.g. `Content-Type` for a PUT, which is
    ///   what botocore signs when given `ContentType`); the client must then send exactly
    ///   these values. Without them only `host` is signed, as in botocore.
    ///
    /// - Parameter query: operation parameters (e.g. `response-content-disposition`), placed
    ///   before the authentication parameters and signed with them, in the order given, as
    ///   botocore does with an operation's query members. Names must not be `X-Amz-*`
    ///   authentication parameters.
    public func presignedURL(
        _ method: S3Method, bucket: String, key: String, expiresIn: Int,
        signedAt date: AmzDate = .now(), headers: [String: String] = [:],
        query: [(name: String, value: String)] = []
    ) throws(SigV4PresignError) -> String {
        try presign(method, bucket: bucket, key: key, expiresIn: expiresIn, date: date, headers: headers, query: query)
    }

    /// A URL for the bucket itself rather than an object, such as ListObjectsV2's
    /// `GET /bucket?list-type=2`: path style `…/bucket`, virtual-hosted `bucket.host/` (or the
    /// endpoint's path prefix, without a trailing slash, as botocore builds it).
    public func presignedBucketURL(
        _ method: S3Method, bucket: String, query: [(name: String, value: String)], expiresIn: Int,
        signedAt date: AmzDate = .now(), headers: [String: String] = [:]
    ) throws(SigV4PresignError) -> String {
        try presign(method, bucket: bucket, key: nil, expiresIn: expiresIn, date: date, headers: headers, query: query)
    }

    private func presign(
        _ method: S3Method, bucket: String, key: String?, expiresIn: Int, date: AmzDate,
        headers: [String: String], query extraQuery: [(name: String, value: String)]
    ) throws(SigV4PresignError) -> String {
        guard BucketName.isValid(bucket) else { throw .invalidBucketName(bucket) }
        if let key, key.isEmpty { throw .emptyKey }
        guard (1...Self.maximumExpiry).contains(expiresIn) else { throw .expiryOutOfRange(expiresIn) }

        let location = objectLocation(bucket: bucket, key: key)
        let signedHeaders = try canonicalHeaders(host: location.hostHeader, extra: headers)
        let scope = SigV4Signature.Scope(dateStamp: date.dateStamp, region: region, service: service)

        // botocore's order: operation parameters, then authentication; the signature goes
        // last because it signs everything before it.
        var query: [(name: String, value: String)] =
            extraQuery + [
                ("X-Amz-Algorithm", SigV4Signature.algorithm),
                ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope.text)"),
                ("X-Amz-Date", date.iso8601Basic),
                ("X-Amz-Expires", String(expiresIn)),
                ("X-Amz-SignedHeaders", signedHeaders.map(\.name).joined(separator: ";")),
            ]
        if let token = credentials.sessionToken {
            query.append(("X-Amz-Security-Token", token))
        }

        let canonicalRequest = SigV4Signature.canonicalRequest(
            method: method.rawValue, canonicalURI: location.path,
            canonicalQuery: SigV4Signature.canonicalQuery(query.map { (Array($0.name.utf8), Array($0.value.utf8)) }),
            headers: signedHeaders)
        let stringToSign = SigV4Signature.stringToSign(date: date, scope: scope, canonicalRequest: canonicalRequest)
        let signature = SigV4Signature.signature(
            secretAccessKey: credentials.secretAccessKey, scope: scope, stringToSign: stringToSign)

        let queryString = query.map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }
            .joined(separator: "&")
        return "\(endpoint.scheme)://\(location.authority)\(location.path)?\(queryString)&X-Amz-Signature=\(signature)"
    }

    private struct ObjectLocation {
        var authority: String
        var hostHeader: String
        /// Already percent-encoded: it is both the URL path and the canonical URI.
        var path: String
    }

    /// Mirrors the S3 endpoint rule set botocore evaluates for a custom endpoint.
    /// A nil key addresses the bucket: `/` (or the endpoint's prefix) under a virtual host,
    /// `/bucket` in path style.
    private func objectLocation(bucket: String, key: String?) -> ObjectLocation {
        let encodedKey = key.map { PercentEncoding.encode($0, keepingSlash: true) } ?? ""
        let virtual: Bool
        switch addressingStyle {
        case .path:
            virtual = false
        case .virtualHosted:
            if BucketName.isVirtualHostable(bucket, allowingDots: false) {
                virtual = !endpoint.isIPAddress
            } else {
                // Dotted names break TLS wildcard certificates, so the rule set only puts
                // them in the host over plain http; it skips the IP check on this branch.
                virtual = endpoint.scheme == "http" && BucketName.isVirtualHostable(bucket, allowingDots: true)
            }
        }
        if virtual {
            return ObjectLocation(
                authority: "\(bucket).\(endpoint.authority)",
                hostHeader: S3Endpoint.hostHeader(
                    hostName: "\(bucket).\(endpoint.hostName)", port: endpoint.port, scheme: endpoint.scheme),
                // The bucket itself is `/`, or the prefix as is (botocore adds no slash to it).
                path: key == nil ? (endpoint.pathPrefix.isEmpty ? "/" : endpoint.pathPrefix) : "\(endpoint.pathPrefix)/\(encodedKey)")
        }
        return ObjectLocation(
            authority: endpoint.authority, hostHeader: endpoint.hostHeader,
            path: "\(endpoint.pathPrefix)/\(PercentEncoding.encode(bucket))" + (key == nil ? "" : "/\(encodedKey)"))
    }

    private func canonicalHeaders(host: String, extra: [String: String]) throws(SigV4PresignError) -> [SigV4Signature
        .Header]
    {
        var headers = ["host": host]
        for (name, value) in extra {
            let lower = name.lowercased()
            guard lower != "host", HTTPToken.isValid(lower), headers[lower] == nil else { throw .invalidHeader(name) }
            headers[lower] = SigV4Signature.canonicalHeaderValue(value)
        }
        return headers.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }
}
