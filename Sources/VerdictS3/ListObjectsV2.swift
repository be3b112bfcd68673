/// The parameters of one ListObjectsV2 call (`GET /bucket?list-type=2&…`).
public struct ListObjectsV2Request: Sendable, Hashable {
    public var prefix: String?
    public var delimiter: String?
    /// S3 answers at most 1000 keys per page whatever is asked.
    public var maxKeys: Int?
    /// `nextContinuationToken` of the previous page.
    public var continuationToken: String?
    public var startAfter: String?

    public init(
        prefix: String? = nil, delimiter: String? = nil, maxKeys: Int? = nil, continuationToken: String? = nil,
        startAfter: String? = nil
    ) {
        self.prefix = prefix
        self.delimiter = delimiter
        self.maxKeys = maxKeys
        self.continuationToken = continuationToken
        self.startAfter = startAfter
    }

    /// The query botocore builds for `list_objects_v2` with its parameters given in this
    /// order: `list-type` from the operation's URI first, and `encoding-type=url` last,
    /// which botocore adds on its own so keys that XML cannot carry still list.
    public var queryParameters: [(name: String, value: String)] {
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        query.append(("encoding-type", "url"))
        return query
    }
}

extension SigV4Presigner {
    /// The same URL as botocore's `generate_presigned_url('list_objects_v2', Params=…)`
    /// with the parameters in `ListObjectsV2Request`'s order.
    public func presignedListObjectsV2URL(
        bucket: String, _ request: ListObjectsV2Request = ListObjectsV2Request(), expiresIn: Int,
        signedAt date: AmzDate = .now()
    ) throws(SigV4PresignError) -> String {
        try presignedBucketURL(.get, bucket: bucket, query: request.queryParameters, expiresIn: expiresIn, signedAt: date)
    }
}

/// One page of a ListObjectsV2 answer (S3's `ListBucketResult`).
public struct ListObjectsV2Page: Sendable, Hashable {
    public struct Object: Sendable, Hashable {
        public var key: String
        public var size: Int
        /// Quoted, as S3 sends it.
        public var etag: String
        /// ISO 8601 as S3 sends it, e.g. `2024-05-06T07:08:09.000Z`.
        public var lastModified: String

        public init(key: String, size: Int, etag: String, lastModified: String) {
            self.key = key
            self.size = size
            self.etag = etag
            self.lastModified = lastModified
        }
    }

    public var objects: [Object]
    /// With a delimiter: the "folders" directly under the prefix, each ending in the delimiter.
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    /// Pass as `continuationToken` to get the next page; nil on the last one.
    public var nextContinuationToken: String?
    public var keyCount: Int

    public init(
        objects: [Object], commonPrefixes: [String] = [], isTruncated: Bool = false,
        nextContinuationToken: String? = nil, keyCount: Int? = nil
    ) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
        self.keyCount = keyCount ?? (objects.count + commonPrefixes.count)
    }

    /// Parses a `ListBucketResult` document. With `<EncodingType>url</EncodingType>` the
    /// keys and prefixes are URL-encoded (`+` for space, as S3 writes them) and decoded here.
    public init(xml: [UInt8]) throws(ObjectStoreError) {
        guard let root = S3XML.parse(xml), root.name == "ListBucketResult" else {
            throw .unexpectedResponse(status: 200, detail: "not a ListBucketResult document")
        }
        let urlEncoded = root.value("EncodingType")?.lowercased() == "url"
        func decoded(_ text: String) -> String {
            urlEncoded ? S3XML.formDecode(text) : text
        }
        var objects: [Object] = []
        for entry in root.children(named: "Contents") {
            guard let key = entry.value("Key"), let sizeText = entry.value("Size"), let size = Int(sizeText) else {
                throw .unexpectedResponse(status: 200, detail: "a Contents entry without Key or Size")
            }
            objects.append(
                Object(
                    key: decoded(key), size: size, etag: entry.value("ETag") ?? "",
                    lastModified: entry.value("LastModified") ?? ""))
        }
        let prefixes = root.children(named: "CommonPrefixes").compactMap { $0.value("Prefix") }.map(decoded)
        let truncated = root.value("IsTruncated")?.lowercased() == "true"
        let token = root.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            objects: objects, commonPrefixes: prefixes, isTruncated: truncated, nextContinuationToken: token,
            keyCount: root.value("KeyCount").flatMap { Int($0) })
    }
}
