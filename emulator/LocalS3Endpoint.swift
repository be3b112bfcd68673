import Foundation
import NIOCore
import NIOHTTP1
import VerdictS3

#if canImport(Glibc)
    import Glibc
#endif

/// An S3-compatible object endpoint at `/_s3/<bucket>/<key>` (path style), backed by
/// `LocalS3Store`. Every request must carry a valid SigV4 presigned query signed with the local
/// credentials; what handlers do through `ObjectStore` and what botocore presigns both work.
/// Supported: PutObject, GetObject (with Range), HeadObject, DeleteObject, ListObjectsV2,
/// HeadBucket and multipart uploads (create, upload part, complete, abort). The buckets are the template's `AWS::S3::Bucket` names.
final class LocalS3Endpoint: @unchecked Sendable {
    static let pathPrefix = "/_s3"
    static let accessKeyID = "verdict-local"
    /// S3's limit for a single PUT.
    static let maximumObjectBytes: Int64 = 5 * 1024 * 1024 * 1024

    let store: LocalS3Store
    let verifier: SigV4Verifier
    let secret: String

    init(store: LocalS3Store, secret: String) {
        self.store = store
        self.secret = secret
        // Any region: clients point at the emulator with whatever region they are set up for.
        verifier = SigV4Verifier(region: nil, secrets: [Self.accessKeyID: secret])
    }

    static func owns(path: String) -> Bool {
        path == pathPrefix || path.hasPrefix(pathPrefix + "/")
    }

    /// What the gateway answers for `/_s3` when the emulator was pointed at another store.
    static func disabledResponse() -> ServerResponse {
        let external = LocalS3Environment.shared.variables[ObjectStoreConfiguration.endpointVariable] ?? nil
        let failure = LocalS3Failure.notImplemented(
            "This emulator keeps objects at \(external ?? "another endpoint") (--s3-endpoint); it does not serve \(pathPrefix).")
        return ServerResponse(
            status: HTTPResponseStatus(statusCode: failure.status), contentType: "application/xml",
            bytes: Array(LocalS3XML.error(failure, requestID: newRequestID()).utf8))
    }

    static func newRequestID() -> String {
        (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16, uppercase: true) }.joined()
    }

    // MARK: Requests

    /// A request as addressed: `bucket` nil for `/_s3` itself, `key` nil for the bucket.
    struct Target {
        var bucket: String?
        var key: String?
        /// Decoded query parameters in order.
        var query: [(name: String, value: String)]

        func parameter(_ name: String) -> String? { query.first { $0.name == name }?.value }
    }

    /// Starts serving a request whose head has arrived; its body (if any) goes to the exchange.
    func begin(_ head: HTTPRequestHead) -> LocalS3Exchange {
        let exchange = LocalS3Exchange(head: head, requestID: Self.newRequestID())
        do throws(LocalS3Failure) {
            let target = try authenticate(head)
            exchange.plan = try plan(head, target)
        } catch {
            exchange.plan = .fail(error)
        }
        return exchange
    }

    private func authenticate(_ head: HTTPRequestHead) throws(LocalS3Failure) -> Target {
        let question = head.uri.firstIndex(of: "?")
        let rawPath = String(head.uri[..<(question ?? head.uri.endIndex)])
        let rawQuery = question.map { String(head.uri[head.uri.index(after: $0)...]) } ?? ""

        var query: [(name: String, value: String)] = []
        for item in rawQuery.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0]
            let value = parts.count > 1 ? parts[1] : ""
            query.append((name.removingPercentEncoding ?? name, value.removingPercentEncoding ?? value))
        }
        if !query.contains(where: { $0.name == "X-Amz-Signature" || $0.name == "X-Amz-Credential" }) {
            if head.headers.contains(name: "authorization") {
                throw .notImplemented("The local S3 endpoint accepts presigned (query-string SigV4) requests only.")
            }
            throw LocalS3Failure(status: 403, code: "AccessDenied", message: "Access Denied")
        }
        let request = IncomingS3Request(
            method: head.method.rawValue, rawPath: rawPath, rawQuery: rawQuery,
            headers: head.headers.map { (name: $0.name, value: $0.value) }, scheme: "http")
        do throws(S3Error) {
            _ = try verifier.verify(request)
        } catch {
            throw LocalS3Failure(error)
        }

        guard let path = rawPath.removingPercentEncoding else {
            throw LocalS3Failure(status: 400, code: "InvalidURI", message: "Couldn't parse the specified URI.", details: [("URI", rawPath)])
        }
        let rest = path.dropFirst(Self.pathPrefix.count).drop { $0 == "/" }
        guard !rest.isEmpty else { return Target(bucket: nil, key: nil, query: query) }
        guard let slash = rest.firstIndex(of: "/") else { return Target(bucket: String(rest), key: nil, query: query) }
        let key = String(rest[rest.index(after: slash)...])
        return Target(bucket: String(rest[..<slash]), key: key.isEmpty ? nil : key, query: query)
    }

    /// Query parameters each kind of request may carry; others name S3 features (ACLs,
    /// versions, multipart uploads…) the local endpoint does not have.
    private static let objectReadParameters: Set<String> = [
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "x-id",
    ]
    private static let listParameters: Set<String> = [
        "list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after", "encoding-type", "fetch-owner", "x-id",
    ]

    private func unsupported(_ target: Target, allowed: Set<String>) -> String? {
        target.query.first { !$0.name.hasPrefix("X-Amz-") && !allowed.contains($0.name) }?.name
    }

    private func plan(_ head: HTTPRequestHead, _ target: Target) throws(LocalS3Failure) -> LocalS3Exchange.Plan {
        guard let bucket = target.bucket else {
            throw .notImplemented(
                "ListBuckets is not available here; the buckets are the template's: \(store.buckets.sorted().joined(separator: ", ")).")
        }
        try store.requireBucket(bucket)
        guard let key = target.key else {
            switch head.method {
            case .GET:
                if let name = unsupported(target, allowed: Self.listParameters) {
                    throw .notImplemented("The local S3 endpoint does not support the '\(name)' bucket operation.")
                }
                guard target.parameter("list-type") == "2" else {
                    throw .notImplemented("ListObjects (v1) is not supported; use ListObjectsV2 (list-type=2).")
                }
                return .respond { [self] () throws(LocalS3Failure) -> LocalS3Reply in try listObjects(bucket: bucket, target) }
            case .HEAD:
                return .respond { LocalS3Reply(status: .ok, headers: [("x-amz-bucket-region", "us-east-1")]) }
            default:
                throw Self.methodNotAllowed(head.method, resource: "BUCKET")
            }
        }
        let object = try store.locate(bucket: bucket, key: key)
        if let multipart = try multipartPlan(head, target, object) { return multipart }
        switch head.method {
        case .PUT:
            if let name = unsupported(target, allowed: ["x-id"]) {
                throw .notImplemented("The local S3 endpoint does not support '\(name)' on objects (multipart uploads, ACLs, tagging…).")
            }
            if head.headers.contains(name: "x-amz-copy-source") {
                throw .notImplemented("CopyObject is not supported by the local S3 endpoint.")
            }
            if let length = head.headers.first(name: "content-length").flatMap({ Int64($0) }), length > Self.maximumObjectBytes {
                throw Self.entityTooLarge(length)
            }
            try store.checkWritable(object)
            return .upload(try LocalS3Upload(store: store, destination: .object(object), head: head))
        case .GET, .HEAD:
            if let name = unsupported(target, allowed: Self.objectReadParameters) {
                throw .notImplemented("The local S3 endpoint does not support '\(name)' on objects (versions, ACLs, tagging, parts…).")
            }
            let isHead = head.method == .HEAD
            return .respond { [self] () throws(LocalS3Failure) -> LocalS3Reply in
                try read(object, head: head, target: target, bodyless: isHead)
            }
        case .DELETE:
            if let name = unsupported(target, allowed: ["x-id"]) {
                throw .notImplemented("The local S3 endpoint does not support '\(name)' on objects.")
            }
            return .respond { [self] in
                store.delete(object)
                return LocalS3Reply(status: .noContent)
            }
        default:
            throw Self.methodNotAllowed(head.method, resource: "OBJECT")
        }
    }

    static func methodNotAllowed(_ method: HTTPMethod, resource: String) -> LocalS3Failure {
        LocalS3Failure(
            status: 405, code: "MethodNotAllowed", message: "The specified method is not allowed against this resource.",
            details: [("Method", method.rawValue), ("ResourceType", resource)])
    }

    static func entityTooLarge(_ size: Int64) -> LocalS3Failure {
        LocalS3Failure(
            status: 400, code: "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed size",
            details: [("ProposedSize", String(size)), ("MaxSizeAllowed", String(maximumObjectBytes))])
    }

    // MARK: GetObject, HeadObject

    private func read(_ object: LocalS3Store.Located, head: HTTPRequestHead, target: Target, bodyless: Bool) throws(LocalS3Failure)
        -> LocalS3Reply
    {
        let opened = try store.open(object)
        let size = opened.metadata.size
        var headers: [(String, String)] = [
            ("last-modified", LocalS3XML.httpDate(opened.lastModified)), ("etag", opened.metadata.etag), ("accept-ranges", "bytes"),
            ("content-type", target.parameter("response-content-type") ?? opened.metadata.contentType),
        ]
        let overrides = [
            ("response-content-disposition", "content-disposition"), ("response-content-encoding", "content-encoding"),
            ("response-content-language", "content-language"), ("response-cache-control", "cache-control"), ("response-expires", "expires"),
        ]
        for (parameter, header) in overrides {
            if let value = target.parameter(parameter) { headers.append((header, value)) }
        }

        var status = HTTPResponseStatus.ok
        var range = 0..<size
        if let rangeHeader = head.headers.first(name: "range") {
            switch Self.byteRange(rangeHeader, size: size) {
            case .whole:
                break
            case .unsatisfiable:
                close(opened.descriptor)
                throw LocalS3Failure(
                    status: 416, code: "InvalidRange", message: "The requested range is not satisfiable",
                    details: [("RangeRequested", rangeHeader), ("ActualObjectSize", String(size))])
            case .part(let part):
                status = .partialContent
                range = part
                headers.append(("content-range", "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(size)"))
            }
        }
        if bodyless {
            close(opened.descriptor)
            return LocalS3Reply(status: status, headers: headers, body: .none, contentLength: range.count)
        }
        return LocalS3Reply(status: status, headers: headers, body: .file(descriptor: opened.descriptor, range: range))
    }

    enum ByteRange: Equatable {
        case whole
        case part(Range<Int>)
        case unsatisfiable
    }

    /// One `bytes=` range, as S3 reads it; what S3 ignores (several ranges, other units,
    /// nonsense) means the whole object.
    static func byteRange(_ header: String, size: Int) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)..<size)
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start..<size) }
        guard let end = Int(last), end >= start else { return .whole }
        return .part(start..<(min(end, size - 1) + 1))
    }

    // MARK: ListObjectsV2

    private func listObjects(bucket: String, _ target: Target) throws(LocalS3Failure) -> LocalS3Reply {
        let prefix = target.parameter("prefix") ?? ""
        let delimiter = target.parameter("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        var maxKeys = 1000
        if let text = target.parameter("max-keys") {
            guard let number = Int(text), number >= 0 else {
                throw .invalidArgument("Provided max-keys not an integer or within integer range", name: "max-keys", value: text)
            }
            maxKeys = min(number, 1000)
        }
        let urlEncoded: Bool
        switch target.parameter("encoding-type") {
        case nil: urlEncoded = false
        case "url": urlEncoded = true
        case let other?: throw .invalidArgument("Invalid Encoding Method specified in Request", name: "encoding-type", value: other)
        }
        let token = target.parameter("continuation-token")
        let startAfter = target.parameter("start-after")

        // Where this page starts: after a key, or after every key under a common prefix.
        var afterKey: String?
        var afterPrefix: String?
        if let token {
            guard let data = Data(base64Encoded: token), let marker = String(data: data, encoding: .utf8), marker.count >= 2 else {
                throw .invalidArgument("The continuation token provided is incorrect", name: "continuation-token", value: token)
            }
            let value = String(marker.dropFirst(2))
            switch marker.prefix(2) {
            case "k:": afterKey = value
            case "p:": afterPrefix = value
            default: throw .invalidArgument("The continuation token provided is incorrect", name: "continuation-token", value: token)
            }
        } else if let startAfter, !startAfter.isEmpty {
            afterKey = startAfter
        }

        enum Item {
            case key(String)
            case commonPrefix(String)
        }
        var entries: [LocalS3XML.Listing.Entry] = []
        var prefixes: [String] = []
        var last: Item?
        var truncated = false
        if maxKeys > 0 {
            for key in store.keys(bucket: bucket, prefix: prefix) {
                if let afterKey, !afterKey.utf8.lexicographicallyPrecedes(key.utf8) { continue }
                if let afterPrefix, !afterPrefix.utf8.lexicographicallyPrecedes(key.utf8) || key.utf8.starts(with: afterPrefix.utf8) {
                    continue
                }
                let common = delimiter.flatMap { Self.commonPrefix(of: key, prefix: prefix, delimiter: $0) }
                // Keys under the common prefix just listed are part of it.
                if let common, prefixes.last == common { continue }
                if entries.count + prefixes.count == maxKeys {
                    truncated = true
                    break
                }
                if let common {
                    prefixes.append(common)
                    last = .commonPrefix(common)
                } else {
                    let located = try store.locate(bucket: bucket, key: key)
                    // Gone since the folder was read: not part of the listing.
                    guard let described = store.describe(located) else { continue }
                    entries.append(
                        .init(key: key, size: described.metadata.size, etag: described.metadata.etag, lastModified: described.lastModified))
                    last = .key(key)
                }
            }
        }
        // The token names the last thing on this page, so the next page starts right after it.
        var nextToken: String?
        if truncated, let last {
            let marker: String
            switch last {
            case .key(let key): marker = "k:" + key
            case .commonPrefix(let common): marker = "p:" + common
            }
            nextToken = Data(marker.utf8).base64EncodedString()
        }
        let listing = LocalS3XML.Listing(
            bucket: bucket, prefix: prefix, delimiter: delimiter, maxKeys: maxKeys, urlEncoded: urlEncoded, continuationToken: token,
            startAfter: startAfter, entries: entries, commonPrefixes: prefixes, nextContinuationToken: nextToken)
        return LocalS3Reply(
            status: .ok, headers: [("content-type", "application/xml")], body: .bytes(Array(LocalS3XML.listBucketResult(listing).utf8)))
    }

    /// The part of `key` up to and including the first `delimiter` after `prefix`, if any.
    static func commonPrefix(of key: String, prefix: String, delimiter: String) -> String? {
        let keyBytes = Array(key.utf8)
        let delimiterBytes = Array(delimiter.utf8)
        let start = prefix.utf8.count
        guard !delimiterBytes.isEmpty, keyBytes.count >= start + delimiterBytes.count else { return nil }
        var index = start
        while index + delimiterBytes.count <= keyBytes.count {
            if keyBytes[index..<(index + delimiterBytes.count)].elementsEqual(delimiterBytes) {
                return String(decoding: keyBytes[..<(index + delimiterBytes.count)], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}

/// The answer to one local S3 request.
struct LocalS3Reply {
    enum Body {
        case none
        case bytes([UInt8])
        /// Sent from the file without copying it through memory; the reply owns the descriptor.
        case file(descriptor: Int32, range: Range<Int>)
    }

    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body: Body = .none
    /// For HEAD: the length a GET would send.
    var contentLength: Int?

    static func failure(_ failure: LocalS3Failure, requestID: String, bodyless: Bool) -> LocalS3Reply {
        let status = HTTPResponseStatus(statusCode: failure.status)
        // S3 answers HEAD with the status only.
        if bodyless { return LocalS3Reply(status: status) }
        return LocalS3Reply(
            status: status, headers: [("content-type", "application/xml")],
            body: .bytes(Array(LocalS3XML.error(failure, requestID: requestID).utf8)))
    }
}

/// One request in flight: what to do with its body and how to answer at its end.
final class LocalS3Exchange {
    enum Plan {
        /// Refused: the body (if any) is read and dropped, then the error goes out.
        case fail(LocalS3Failure)
        case upload(LocalS3Upload)
        case respond(() throws(LocalS3Failure) -> LocalS3Reply)
        /// A small body (an XML request document) read whole, then answered.
        case collect(limit: Int, ([UInt8]) throws(LocalS3Failure) -> LocalS3Reply)
    }

    private var collected: [UInt8] = []
    private var collectedTooMuch = false

    let head: HTTPRequestHead
    let requestID: String
    var plan: Plan = .fail(.internalError("request not planned"))

    init(head: HTTPRequestHead, requestID: String) {
        self.head = head
        self.requestID = requestID
    }

    /// Set once the reply went out early (a refused `Expect: 100-continue` request).
    var answered = false

    /// The client waits for `100 Continue` before sending its body.
    var expectsContinue: Bool {
        head.headers.first(name: "expect")?.lowercased() == "100-continue"
    }

    func receive(_ chunk: ByteBuffer) {
        switch plan {
        case .upload(let upload): upload.write(chunk)
        case .collect(let limit, _):
            collectedTooMuch = collectedTooMuch || collected.count + chunk.readableBytes > limit
            if !collectedTooMuch { collected += chunk.readableBytesView }
        default: break
        }
    }

    func finish() -> LocalS3Reply {
        let bodyless = head.method == .HEAD
        do throws(LocalS3Failure) {
            switch plan {
            case .fail(let failure):
                throw failure
            case .upload(let upload):
                return try upload.finish()
            case .respond(let answer):
                return try answer()
            case .collect(_, let answer):
                guard !collectedTooMuch else {
                    throw LocalS3Failure(
                        status: 400, code: "MaxMessageLengthExceeded", message: "Your request was too big.")
                }
                return try answer(collected)
            }
        } catch {
            return .failure(error, requestID: requestID, bodyless: bodyless)
        }
    }

    /// The connection went away before the request ended.
    func abort() {
        if case .upload(let upload) = plan { upload.abort() }
    }
}

/// A PUT body on its way to disk: written to a temporary file as it arrives, hashed on the
/// way, and renamed into place only when complete and intact.
final class LocalS3Upload {
    /// Where a complete upload goes: an object, or a part of a multipart upload.
    enum Destination {
        case object(LocalS3Store.Located)
        case part(LocalS3MultipartUpload, number: Int)
    }

    let store: LocalS3Store
    let destination: Destination
    let temporaryPath: String
    let contentType: String
    let expectedMD5: String?
    private var descriptor: Int32
    private let digest = ObjectDigest(.md5)
    private var received: Int64 = 0
    private var failure: LocalS3Failure?

    init(store: LocalS3Store, destination: Destination, head: HTTPRequestHead) throws(LocalS3Failure) {
        self.store = store
        self.destination = destination
        contentType = head.headers.first(name: "content-type") ?? LocalS3Store.defaultContentType
        expectedMD5 = head.headers.first(name: "content-md5")
        temporaryPath = "\(store.uploadsFolder)/\(UUID().uuidString)"
        descriptor = Glibc.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .internalError("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
    }

    func write(_ chunk: ByteBuffer) {
        guard failure == nil else { return }
        received += Int64(chunk.readableBytes)
        guard received <= LocalS3Endpoint.maximumObjectBytes else {
            fail(LocalS3Endpoint.entityTooLarge(received))
            return
        }
        chunk.withUnsafeReadableBytes { bytes in
            digest.update(bytes)
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    fail(.internalError("cannot write \(temporaryPath): \(String(cString: strerror(errno)))"))
                    return
                }
                offset += written
            }
        }
    }

    func finish() throws(LocalS3Failure) -> LocalS3Reply {
        if let failure {
            throw failure
        }
        closeDescriptor()
        let md5 = digest.finish()
        if let expectedMD5 {
            guard let expected = Data(base64Encoded: expectedMD5), expected.count == 16 else {
                abort()
                throw LocalS3Failure(
                    status: 400, code: "InvalidDigest", message: "The Content-MD5 you specified was invalid.",
                    details: [("Content-MD5", expectedMD5)])
            }
            guard Array(expected) == md5 else {
                abort()
                throw LocalS3Failure(
                    status: 400, code: "BadDigest", message: "The Content-MD5 you specified did not match what we received.",
                    details: [("ExpectedDigest", expectedMD5), ("CalculatedDigest", Data(md5).base64EncodedString())])
            }
        }
        let etag = ObjectDigest.etag(md5: md5)
        do throws(LocalS3Failure) {
            switch destination {
            case .object(let object):
                try store.commit(
                    upload: temporaryPath, to: object, metadata: .init(contentType: contentType, etag: etag, size: Int(received)))
            case .part(let upload, let number):
                try upload.keepPart(number, from: temporaryPath, md5: md5)
            }
        } catch {
            abort()
            throw error
        }
        return LocalS3Reply(status: .ok, headers: [("etag", etag)])
    }

    private func fail(_ failure: LocalS3Failure) {
        self.failure = failure
        abort()
    }

    private func closeDescriptor() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    /// Drops the partial upload; safe to call more than once.
    func abort() {
        closeDescriptor()
        unlink(temporaryPath)
    }
}
