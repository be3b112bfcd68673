import CurlClient

/// What S3 says about a stored object without sending it.
public struct ObjectInfo: Sendable, Hashable {
    public var size: Int
    /// Quoted, as S3 sends it: `"<hex md5>"` for a single-part upload.
    public var etag: String
    public var contentType: String?
    /// RFC 1123, as in the `Last-Modified` header.
    public var lastModified: String?

    public init(size: Int, etag: String, contentType: String?, lastModified: String?) {
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
    }
}

/// A Foundation-free S3 client for handlers: every request is a presigned URL (the same
/// SigV4 query signing browsers get) sent with libcurl, so one signing path serves both
/// the function's own requests and the URLs it hands to clients.
///
/// Not thread-safe: a handler process serves one invocation at a time and keeps one store
/// (and so one kept-alive connection), like its database connection.
public final class ObjectStore {
    public let configuration: ObjectStoreConfiguration
    public let presigner: SigV4Presigner
    let http = CurlHTTP()

    /// How long the URLs for the store's own requests are valid: they are used at once.
    static let requestExpiry = 300
    /// S3's limit on key length, in UTF-8 bytes.
    public static let maximumKeyBytes = 1024

    public init(configuration: ObjectStoreConfiguration) {
        self.configuration = configuration
        presigner = SigV4Presigner(
            credentials: configuration.credentials, region: configuration.region, endpoint: configuration.endpoint,
            addressingStyle: configuration.addressingStyle)
    }

    /// Configured from the process environment (see `ObjectStoreConfiguration.fromEnvironment`).
    public convenience init() throws(ObjectStoreError) {
        self.init(configuration: try .fromEnvironment())
    }

    public var bucket: String { configuration.bucket }

    // MARK: Objects

    /// Stores `bytes` under `key`, replacing what was there; returns the new ETag.
    @discardableResult
    public func put(_ key: String, bytes: [UInt8], contentType: String = "application/octet-stream")
        throws(ObjectStoreError) -> String
    {
        let url = try objectURL(.put, key: key, headers: ["Content-Type": contentType])
        let response = try send("PUT", url, headers: [("Content-Type", contentType)], body: bytes)
        guard response.status == 200 else { throw Self.failure(response) }
        return response.headers["etag"] ?? ""
    }

    /// The object's bytes; `.service` with code `NoSuchKey` when there is none.
    /// - Parameter range: inclusive byte offsets, for a part of the object.
    public func get(_ key: String, range: ClosedRange<Int>? = nil) throws(ObjectStoreError) -> [UInt8] {
        let url = try objectURL(.get, key: key)
        let headers = range.map { [("Range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response = try send("GET", url, headers: headers)
        guard response.status == 200 || (range != nil && response.status == 206) else { throw Self.failure(response) }
        return response.body
    }

    /// Size, ETag and type of the object, or nil when there is none.
    public func head(_ key: String) throws(ObjectStoreError) -> ObjectInfo? {
        let url = try objectURL(.head, key: key)
        let response = try send("HEAD", url)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw Self.failure(response) }
        guard let length = response.headers["content-length"].flatMap({ Int($0) }) else {
            throw .unexpectedResponse(status: 200, detail: "HEAD answer without Content-Length")
        }
        return ObjectInfo(
            size: length, etag: response.headers["etag"] ?? "", contentType: response.headers["content-type"],
            lastModified: response.headers["last-modified"])
    }

    /// Removes the object; removing one that does not exist succeeds, as in S3.
    public func delete(_ key: String) throws(ObjectStoreError) {
        let url = try objectURL(.delete, key: key)
        let response = try send("DELETE", url)
        guard response.status == 204 || response.status == 200 else { throw Self.failure(response) }
    }

    /// One page of keys in lexicographic (UTF-8 byte) order.
    public func list(
        prefix: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil, delimiter: String? = nil,
        startAfter: String? = nil
    ) throws(ObjectStoreError) -> ListObjectsV2Page {
        let request = ListObjectsV2Request(
            prefix: prefix, delimiter: delimiter, maxKeys: maxKeys, continuationToken: continuationToken,
            startAfter: startAfter)
        let url: String
        do {
            url = try presigner.presignedListObjectsV2URL(bucket: bucket, request, expiresIn: Self.requestExpiry)
        } catch {
            throw .presign(error)
        }
        let response = try send("GET", url)
        guard response.status == 200 else { throw Self.failure(response) }
        return try ListObjectsV2Page(xml: response.body)
    }

    // MARK: URLs for others

    /// A URL that lets its holder do `method` on `key` until it expires, e.g. a browser
    /// downloading a report or a CI job uploading one.
    /// - Parameter contentType: for a PUT, signed: the uploader must send exactly this
    ///   `Content-Type`.
    /// - Parameter downloadFilename: for a GET, the name browsers save (or show) the object
    ///   under (`response-content-disposition`), `inline` where the browser should show it.
    /// - Parameter responseContentType: for a GET, the `Content-Type` the answer carries,
    ///   whatever the object was stored with (`response-content-type`).
    public func presignedURL(
        _ method: S3Method, key: String, expiresIn: Int, contentType: String? = nil, downloadFilename: String? = nil,
        inline: Bool = false, responseContentType: String? = nil
    ) throws(ObjectStoreError) -> String {
        var query: [(name: String, value: String)] = []
        if let downloadFilename {
            let safe = downloadFilename.filter { $0 != "\"" && $0 != "\\" && !$0.isNewline && $0.isASCII }
            var disposition = "\(inline ? "inline" : "attachment"); filename=\"\(safe)\""
            // RFC 6266: a name beyond ASCII also goes as UTF-8, for the browsers that read it.
            if !downloadFilename.allSatisfy(\.isASCII) {
                disposition += "; filename*=UTF-8''\(Self.encodeFilename(downloadFilename))"
            }
            query.append(("response-content-disposition", disposition))
        }
        if let responseContentType { query.append(("response-content-type", responseContentType)) }
        return try objectURL(
            method, key: key, headers: contentType.map { ["Content-Type": $0] } ?? [:], query: query,
            expiresIn: expiresIn)
    }

    /// RFC 5987's `attr-char` kept, the rest percent-encoded as UTF-8.
    static func encodeFilename(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 15)])
            }
        }
        return out
    }

    // MARK: Plumbing

    /// Keys with `.` or `..` segments are legal in S3, but HTTP clients (libcurl, browsers)
    /// resolve those segments before sending, which would change the key and break the
    /// signature; Verdict never makes such keys, so they are refused up front.
    public static func validate(key: String) throws(ObjectStoreError) {
        guard !key.isEmpty else { throw .invalidKey("the key is empty") }
        guard key.utf8.count <= maximumKeyBytes else {
            throw .invalidKey("the key is \(key.utf8.count) bytes; S3 allows \(maximumKeyBytes)")
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) where segment == "." || segment == ".." {
            throw .invalidKey("'\(key)' has a '\(segment)' segment, which HTTP clients would resolve away")
        }
    }

    func objectURL(
        _ method: S3Method, key: String, headers: [String: String] = [:], query: [(name: String, value: String)] = [],
        expiresIn: Int = ObjectStore.requestExpiry
    ) throws(ObjectStoreError) -> String {
        try Self.validate(key: key)
        do {
            return try presigner.presignedURL(
                method, bucket: bucket, key: key, expiresIn: expiresIn, headers: headers, query: query)
        } catch {
            throw .presign(error)
        }
    }

    func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        bodySink: ((UnsafeRawBufferPointer) -> Bool)? = nil
    ) throws(ObjectStoreError) -> CurlHTTP.Response {
        do {
            return try http.perform(
                method: method, url: url, headers: headers, body: body,
                timeoutMilliseconds: configuration.timeoutMilliseconds, bodySink: bodySink)
        } catch {
            throw .transport(error.description)
        }
    }

    static func failure(_ response: CurlHTTP.Response) -> ObjectStoreError {
        guard response.status >= 300 else {
            return .unexpectedResponse(status: response.status, detail: "status \(response.status) is not the one expected")
        }
        var error = S3ServiceError(status: response.status, body: response.body)
        if error.requestID == nil { error.requestID = response.headers["x-amz-request-id"] }
        return .service(error)
    }
}
