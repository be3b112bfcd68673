import Foundation
import VerdictS3
import VerdictTestSupport
import XCTest

/// The emulator's local S3 endpoint (`/_s3`), driven by real clients: URLs presigned by
/// botocore sent with URLSession, and the handlers' own `ObjectStore` (libcurl). python3 with
/// botocore is required: without it these tests fail, they never skip.
final class LocalS3EndToEndTests: XCTestCase {
    static var emulator: EmulatorProcess!
    static var secret = ""
    static let bucket = "verdict-test-artifacts"

    override class func setUp() {
        super.setUp()
        do {
            emulator = try EmulatorProcess(template: "Tests/Fixtures/test-template.yaml", arguments: ["--no-schedules"])
            secret = try Self.readSecret(stateDirectory: emulator.stateDirectory)
        } catch {
            XCTFail("emulator did not start: \(error)")
        }
    }

    override class func tearDown() {
        emulator?.stop()
        super.tearDown()
    }

    var endpoint: String { "\(Self.emulator.baseURL)/_s3" }

    static func readSecret(stateDirectory: URL) throws -> String {
        let text = try String(contentsOf: stateDirectory.appendingPathComponent("s3-credentials"), encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("aws_secret_access_key") }),
            let value = line.split(separator: "=", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces), !value.isEmpty
        else {
            throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "no secret in s3-credentials: \(text)"])
        }
        return value
    }

    func store(secret: String? = nil, endpoint: String? = nil) throws -> ObjectStore {
        ObjectStore(
            configuration: ObjectStoreConfiguration(
                bucket: Self.bucket, region: "us-east-1",
                credentials: SigV4Credentials(accessKeyID: "verdict-local", secretAccessKey: secret ?? Self.secret),
                endpoint: try S3Endpoint(endpoint ?? self.endpoint), addressingStyle: .path))
    }

    /// A unique folder per test, so tests sharing the emulator do not see each other's keys.
    func folder(_ name: String = #function) -> String {
        "\(name.prefix { $0 != "(" })-\(UUID().uuidString.prefix(8))/"
    }

    // MARK: botocore

    struct Presign: Encodable {
        var operation: String
        var params: [String: String]
        var maxKeys: Int? = nil
        var expires: Int = 300
        var secret: String? = nil
    }

    static let presignScript = #"""
        import json, sys
        import botocore.session
        from botocore.config import Config

        request = json.load(sys.stdin)
        session = botocore.session.get_session()
        urls = []
        for item in request['items']:
            client = session.create_client(
                's3', region_name='us-east-1', endpoint_url=request['endpoint'],
                aws_access_key_id='verdict-local', aws_secret_access_key=item.get('secret') or request['secret'],
                config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
            params = dict(item['params'])
            if item.get('maxKeys') is not None:
                params['MaxKeys'] = item['maxKeys']
            urls.append(client.generate_presigned_url(item['operation'], Params=params, ExpiresIn=item['expires']))
        json.dump(urls, sys.stdout)
        """#

    /// URLs from botocore's `generate_presigned_url`, as a Python client of Verdict would make them.
    func botocore(_ items: [Presign]) throws -> [String] {
        struct Request: Encodable {
            var endpoint: String
            var secret: String
            var items: [Presign]
        }
        let input = try JSONEncoder().encode(Request(endpoint: endpoint, secret: Self.secret, items: items))
        let output = try runPython(Self.presignScript, input: input)
        return try JSONDecoder().decode([String].self, from: output)
    }

    func s3ErrorCode(_ result: HTTPResult, file: StaticString = #filePath, line: UInt = #line) -> String? {
        XCTAssertEqual(result.headers["content-type"], "application/xml", file: file, line: line)
        let error = S3ServiceError(status: result.status, body: Array(result.body))
        XCTAssertNotEqual(error.code, String(result.status), "not an S3 error document: \(result.text)", file: file, line: line)
        XCTAssertNotNil(error.requestID, "no RequestId in \(result.text)", file: file, line: line)
        return error.code
    }

    static func md5ETag(_ data: Data) -> String { ObjectDigest.etag(md5: ObjectDigest.md5(Array(data))) }

    // MARK: Tests

    func testBotocoreUploadsAndOurPresignerDownloads() async throws {
        let base = folder()
        let keys = ["\(base)runs/run 42/ünïcødé ✓/junit report+1.xml", "\(base)plain.txt", "\(base)a/b/c/d.json"]
        let bodies = keys.map { Data("<testsuite name=\"\($0)\"/>".utf8) }
        let putURLs = try botocore(
            keys.map { Presign(operation: "put_object", params: ["Bucket": Self.bucket, "Key": $0, "ContentType": "application/xml"]) })
        let store = try store()
        for (index, key) in keys.enumerated() {
            let put = try await HTTPClient.send("PUT", putURLs[index], headers: ["Content-Type": "application/xml"], body: bodies[index])
            XCTAssertEqual(put.status, 200, put.text)
            XCTAssertEqual(put.headers["etag"], Self.md5ETag(bodies[index]))

            let get = try await HTTPClient.send("GET", try store.presignedURL(.get, key: key, expiresIn: 60))
            XCTAssertEqual(get.status, 200, get.text)
            XCTAssertEqual(get.body, bodies[index], key)
            XCTAssertEqual(get.headers["content-type"], "application/xml")
            XCTAssertEqual(get.headers["content-length"], String(bodies[index].count))
            XCTAssertEqual(get.headers["etag"], Self.md5ETag(bodies[index]))
            XCTAssertNotNil(get.headers["last-modified"])

            // The handlers' client reads the same bytes.
            XCTAssertEqual(try store.get(key), Array(bodies[index]))
        }
        // Plain files under <state-dir>/s3/<bucket>/<key>.
        let onDisk = Self.emulator.stateDirectory.appendingPathComponent("s3/\(Self.bucket)/\(keys[0])")
        XCTAssertEqual(try Data(contentsOf: onDisk), bodies[0])
    }

    func testTamperedURLsAreRefused() async throws {
        let key = "\(folder())report.xml"
        let store = try store()
        try store.put(key, bytes: Array("secret report".utf8), contentType: "text/plain")
        let url = try store.presignedURL(.get, key: key, expiresIn: 60)

        let lastCharacter = url.last!
        let badSignature = String(url.dropLast()) + (lastCharacter == "0" ? "1" : "0")
        let tampered = try await HTTPClient.send("GET", badSignature)
        XCTAssertEqual(tampered.status, 403)
        XCTAssertEqual(s3ErrorCode(tampered), "SignatureDoesNotMatch")
        XCTAssertTrue(tampered.text.contains("<StringToSign>"), tampered.text)

        let otherKey = url.replacingOccurrences(of: "report.xml?", with: "other.xml?")
        let moved = try await HTTPClient.send("GET", otherKey)
        XCTAssertEqual(moved.status, 403)
        XCTAssertEqual(s3ErrorCode(moved), "SignatureDoesNotMatch")

        // A GET URL does not allow a PUT.
        let put = try await HTTPClient.send("PUT", url, body: Data("overwrite".utf8))
        XCTAssertEqual(put.status, 403)
        XCTAssertEqual(try store.get(key), Array("secret report".utf8))

        let unsigned = try await HTTPClient.send("GET", "\(endpoint)/\(Self.bucket)/\(key)")
        XCTAssertEqual(unsigned.status, 403)
        XCTAssertEqual(s3ErrorCode(unsigned), "AccessDenied")
    }

    func testExpiredURLsAreRefused() async throws {
        let key = "\(folder())expiring.txt"
        try store().put(key, bytes: Array("x".utf8))
        let url = try botocore([Presign(operation: "get_object", params: ["Bucket": Self.bucket, "Key": key], expires: 1)])[0]
        try await Task.sleep(nanoseconds: 2_000_000_000)
        let response = try await HTTPClient.send("GET", url)
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(s3ErrorCode(response), "AccessDenied")
        XCTAssertTrue(response.text.contains("Request has expired"), response.text)
    }

    func testWrongSecretIsRefused() async throws {
        let key = "\(folder())k.txt"
        try store().put(key, bytes: Array("x".utf8))
        let impostor = try store(secret: "not-the-local-secret")
        XCTAssertThrowsError(try impostor.get(key)) { error in
            guard case .service(let s3) = error as? ObjectStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(s3.status, 403)
            XCTAssertEqual(s3.code, "SignatureDoesNotMatch")
        }
        let url = try botocore([Presign(operation: "get_object", params: ["Bucket": Self.bucket, "Key": key], secret: "wrong")])[0]
        let response = try await HTTPClient.send("GET", url)
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(s3ErrorCode(response), "SignatureDoesNotMatch")
    }

    func testHeadAndDelete() async throws {
        let key = "\(folder())dir/report.json"
        let store = try store()
        let body = Array(#"{"passed":12}"#.utf8)
        let etag = try store.put(key, bytes: body, contentType: "application/json")
        XCTAssertEqual(etag, ObjectDigest.etag(md5: ObjectDigest.md5(body)))

        let info = try XCTUnwrap(store.head(key))
        XCTAssertEqual(info.size, body.count)
        XCTAssertEqual(info.etag, etag)
        XCTAssertEqual(info.contentType, "application/json")
        XCTAssertNotNil(info.lastModified)

        // botocore's HEAD URL: headers, no body.
        let headURL = try botocore([Presign(operation: "head_object", params: ["Bucket": Self.bucket, "Key": key])])[0]
        let head = try await HTTPClient.send("HEAD", headURL)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], String(body.count))
        XCTAssertEqual(head.headers["etag"], etag)
        XCTAssertTrue(head.body.isEmpty)

        try store.delete(key)
        XCTAssertNil(try store.head(key))
        try store.delete(key)  // idempotent, as S3
        let deleteURL = try botocore([Presign(operation: "delete_object", params: ["Bucket": Self.bucket, "Key": key])])[0]
        let again = try await HTTPClient.send("DELETE", deleteURL)
        XCTAssertEqual(again.status, 204)

        XCTAssertThrowsError(try store.get(key)) { error in
            XCTAssertEqual((error as? ObjectStoreError)?.s3Code, "NoSuchKey")
            XCTAssertEqual((error as? ObjectStoreError)?.httpStatus, 404)
        }
        let missing = try await HTTPClient.send("GET", try store.presignedURL(.get, key: key, expiresIn: 60))
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(s3ErrorCode(missing), "NoSuchKey")
        let missingHead = try await HTTPClient.send("HEAD", headURL)
        XCTAssertEqual(missingHead.status, 404)
    }

    func testListObjectsV2WithPrefixDelimiterAndPagination() async throws {
        let base = folder()
        let names = ["a.txt", "b c.txt", "sub/c.txt", "sub/d.txt", "sub/deeper/e.txt", "z+y.txt", "ü.txt", "zz/f.txt"]
        let store = try store()
        for name in names { try store.put(base + name, bytes: Array(name.utf8), contentType: "text/plain") }
        try store.put("elsewhere-\(UUID().uuidString)", bytes: [1])
        let expected = names.map { base + $0 }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        // Every key, two per page.
        var listed: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try store.list(prefix: base, continuationToken: token, maxKeys: 2)
            XCTAssertLessThanOrEqual(page.objects.count, 2)
            listed += page.objects.map(\.key)
            token = page.nextContinuationToken
            XCTAssertEqual(page.isTruncated, token != nil)
            pages += 1
        } while token != nil && pages < 20
        XCTAssertEqual(listed, expected)
        XCTAssertEqual(pages, 4)

        // One level, with "folders", one entry per page.
        var level: [String] = []
        token = nil
        pages = 0
        repeat {
            let page = try store.list(prefix: base, continuationToken: token, maxKeys: 1, delimiter: "/")
            XCTAssertEqual(page.keyCount, 1)
            level += page.objects.map(\.key) + page.commonPrefixes
            token = page.nextContinuationToken
            pages += 1
        } while token != nil && pages < 20
        XCTAssertEqual(level, [base + "a.txt", base + "b c.txt", base + "sub/", base + "z+y.txt", base + "zz/", base + "ü.txt"])

        let sizes = try store.list(prefix: base + "sub/")
        XCTAssertEqual(sizes.objects.map(\.key), [base + "sub/c.txt", base + "sub/d.txt", base + "sub/deeper/e.txt"])
        XCTAssertEqual(sizes.objects.map(\.size), [9, 9, 16])
        XCTAssertEqual(sizes.objects.first?.etag, ObjectDigest.etag(md5: ObjectDigest.md5(Array("sub/c.txt".utf8))))
        XCTAssertFalse(sizes.isTruncated)

        let after = try store.list(prefix: base, startAfter: base + "sub/d.txt")
        XCTAssertEqual(after.objects.map(\.key), [base + "sub/deeper/e.txt", base + "z+y.txt", base + "zz/f.txt", base + "ü.txt"])

        // botocore's list URL (it adds encoding-type=url), sent by another client.
        let urls = try botocore([
            Presign(operation: "list_objects_v2", params: ["Bucket": Self.bucket, "Prefix": base, "Delimiter": "/"], maxKeys: 3)
        ])
        let response = try await HTTPClient.send("GET", urls[0])
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertTrue(response.text.contains("<EncodingType>url</EncodingType>"), response.text)
        let page = try ListObjectsV2Page(xml: Array(response.body))
        XCTAssertEqual(page.objects.map(\.key), [base + "a.txt", base + "b c.txt"])
        XCTAssertEqual(page.commonPrefixes, [base + "sub/"])
        XCTAssertTrue(page.isTruncated)

        let emptyPage = try store.list(prefix: base + "nothing-here/")
        XCTAssertEqual(emptyPage.objects, [])
        XCTAssertEqual(emptyPage.keyCount, 0)
    }

    func testTwentyMegabyteRoundTrip() async throws {
        let key = "\(folder())large/artifact.bin"
        var generator = SeededRandom(seed: 42)
        var bytes = [UInt8](repeating: 0, count: 20 * 1024 * 1024)
        bytes.withUnsafeMutableBytes { buffer in
            let words = buffer.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = generator.next() }
        }
        let sha256 = ObjectDigest.hex(ObjectDigest.sha256(bytes))
        let store = try store()
        let etag = try store.put(key, bytes: bytes, contentType: "application/octet-stream")
        XCTAssertEqual(etag, ObjectDigest.etag(md5: ObjectDigest.md5(bytes)))

        let fetched = try store.get(key)
        XCTAssertEqual(fetched.count, bytes.count)
        XCTAssertEqual(ObjectDigest.hex(ObjectDigest.sha256(fetched)), sha256)

        let download = try await HTTPClient.send("GET", try store.presignedURL(.get, key: key, expiresIn: 60))
        XCTAssertEqual(download.status, 200)
        XCTAssertEqual(ObjectDigest.hex(ObjectDigest.sha256(Array(download.body))), sha256)

        let slice = try store.get(key, range: 10_000_000...10_000_099)
        XCTAssertEqual(slice, Array(bytes[10_000_000...10_000_099]))
        let tail = try await HTTPClient.send("GET", try store.presignedURL(.get, key: key, expiresIn: 60), headers: ["Range": "bytes=-10"])
        XCTAssertEqual(tail.status, 206)
        XCTAssertEqual(tail.headers["content-range"], "bytes \(bytes.count - 10)-\(bytes.count - 1)/\(bytes.count)")
        XCTAssertEqual(Array(tail.body), Array(bytes.suffix(10)))
        let beyond = try await HTTPClient.send(
            "GET", try store.presignedURL(.get, key: key, expiresIn: 60), headers: ["Range": "bytes=\(bytes.count)-"])
        XCTAssertEqual(beyond.status, 416)
        XCTAssertEqual(s3ErrorCode(beyond), "InvalidRange")
    }

    /// The S3 error code `body` fails with.
    func serviceCode(_ body: () throws -> Void) -> String? {
        do {
            try body()
        } catch let error as ObjectStoreError {
            if case .service(let failure) = error { return failure.code }
            return "\(error)"
        } catch {
            return "\(error)"
        }
        return nil
    }

    func testMultipartUploadAssemblesItsPartsAndRefusesBadOnes() async throws {
        let base = folder()
        let store = try store()
        let first = (0..<ObjectStore.minimumPartBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let last = Array("<the short last part/>".utf8)
        let key = "\(base)parts/document.xml"
        let id = try store.createMultipartUpload(key, contentType: "application/xml")
        let etags = [
            try store.uploadPart(key, uploadID: id, partNumber: 1, bytes: first),
            try store.uploadPart(key, uploadID: id, partNumber: 2, bytes: last),
        ]
        XCTAssertEqual(etags[0], ObjectDigest.etag(md5: ObjectDigest.md5(first)))
        XCTAssertNil(try store.head(key), "nothing is visible before the upload completes")
        try store.completeMultipartUpload(key, uploadID: id, etags: etags)
        let info = try XCTUnwrap(try store.head(key))
        XCTAssertEqual(info.size, first.count + last.count)
        XCTAssertEqual(info.contentType, "application/xml")
        let partDigests = ObjectDigest.md5(first) + ObjectDigest.md5(last)
        XCTAssertEqual(info.etag, "\"\(ObjectDigest.hex(ObjectDigest.md5(partDigests)))-2\"", "S3's multipart ETag")
        XCTAssertEqual(try store.get(key), first + last)
        XCTAssertEqual(serviceCode { _ = try store.uploadPart(key, uploadID: id, partNumber: 3, bytes: last) }, "NoSuchUpload")

        // Parts out of order, and a part sent again (the later one counts), still make the
        // object from the listed parts in order.
        let shuffledKey = "\(base)parts/shuffled.bin"
        let shuffled = try store.createMultipartUpload(shuffledKey, contentType: "application/octet-stream")
        let replaced = first.map { $0 ^ 0xFF }
        let secondTag = try store.uploadPart(shuffledKey, uploadID: shuffled, partNumber: 2, bytes: last)
        _ = try store.uploadPart(shuffledKey, uploadID: shuffled, partNumber: 1, bytes: first)
        _ = try store.uploadPart(shuffledKey, uploadID: shuffled, partNumber: 3, bytes: last)
        let firstTag = try store.uploadPart(shuffledKey, uploadID: shuffled, partNumber: 1, bytes: replaced)
        try store.completeMultipartUpload(shuffledKey, uploadID: shuffled, etags: [firstTag, secondTag])
        XCTAssertEqual(try store.get(shuffledKey), replaced + last, "parts 1 (sent again) and 2; part 3 was not listed")

        // A part sent again after the parts that follow it, then exactly those parts listed.
        let resentKey = "\(base)parts/resent.bin"
        let resent = try store.createMultipartUpload(resentKey, contentType: "application/octet-stream")
        _ = try store.uploadPart(resentKey, uploadID: resent, partNumber: 1, bytes: first)
        let resentLast = try store.uploadPart(resentKey, uploadID: resent, partNumber: 2, bytes: last)
        let resentFirst = try store.uploadPart(resentKey, uploadID: resent, partNumber: 1, bytes: replaced)
        try store.completeMultipartUpload(resentKey, uploadID: resent, etags: [resentFirst, resentLast])
        XCTAssertEqual(try store.get(resentKey), replaced + last, "the part sent again, then part 2")

        // Every part but the last must be 5 MiB; the listed ETags must be the parts'.
        let smallKey = "\(base)parts/small.xml"
        let small = try store.createMultipartUpload(smallKey, contentType: "application/xml")
        let smallTags = [
            try store.uploadPart(smallKey, uploadID: small, partNumber: 1, bytes: last),
            try store.uploadPart(smallKey, uploadID: small, partNumber: 2, bytes: last),
        ]
        XCTAssertEqual(serviceCode { try store.completeMultipartUpload(smallKey, uploadID: small, etags: smallTags) }, "EntityTooSmall")
        XCTAssertEqual(
            serviceCode { try store.completeMultipartUpload(smallKey, uploadID: small, etags: ["\"0123456789abcdef0123456789abcdef\""]) },
            "InvalidPart")
        XCTAssertEqual(serviceCode { _ = try store.uploadPart(smallKey, uploadID: small, partNumber: 0, bytes: last) }, "InvalidArgument")
        XCTAssertEqual(serviceCode { try store.completeMultipartUpload(smallKey, uploadID: small, etags: []) }, "MalformedXML")
        try store.abortMultipartUpload(smallKey, uploadID: small)
        XCTAssertEqual(serviceCode { try store.completeMultipartUpload(smallKey, uploadID: small, etags: smallTags) }, "NoSuchUpload")
        XCTAssertNil(try store.head(smallKey))
        XCTAssertEqual(serviceCode { _ = try store.uploadPart(key, uploadID: "not-an-upload", partNumber: 1, bytes: last) }, "NoSuchUpload")

        // botocore's presigned CreateMultipartUpload (the `uploads` subresource) is accepted too.
        let url = try botocore([Presign(operation: "create_multipart_upload", params: ["Bucket": Self.bucket, "Key": "\(base)boto.bin"])])[
            0]
        let created = try await HTTPClient.send("POST", url)
        XCTAssertEqual(created.status, 200, created.text)
        XCTAssertTrue(created.text.contains("<UploadId>"), created.text)
    }

    func testKeysOutsideTheStoreAndUnknownBucketsAreRefused() async throws {
        let store = try store()
        // Presigned for the literal key "<folder>/../../escape.txt"; the dots are sent encoded so
        // no client resolves them, and the signature (over the decoded path) still holds.
        let presigner = store.presigner
        let base = folder()
        for key in ["\(base)../../escape.txt", "\(base)nul\u{0}byte", "\(base)a//b", "\(base)./a"] {
            let url = try presigner.presignedURL(.put, bucket: Self.bucket, key: key, expiresIn: 60)
                .replacingOccurrences(of: "../", with: "%2E%2E/").replacingOccurrences(of: "/./", with: "/%2E/")
            let response = try await HTTPClient.send("PUT", url, body: Data("x".utf8))
            XCTAssertEqual(response.status, 400, "\(key): \(response.text)")
            XCTAssertEqual(s3ErrorCode(response), "InvalidArgument", key)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.emulator.stateDirectory.appendingPathComponent("s3/escape.txt").path))

        let long = try presigner.presignedURL(.get, bucket: Self.bucket, key: String(repeating: "k", count: 1025), expiresIn: 60)
        let tooLong = try await HTTPClient.send("GET", long)
        XCTAssertEqual(tooLong.status, 400)
        XCTAssertEqual(s3ErrorCode(tooLong), "KeyTooLongError")

        let otherBucket = try presigner.presignedURL(.get, bucket: "no-such-bucket", key: "k", expiresIn: 60)
        let unknown = try await HTTPClient.send("GET", otherBucket)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(s3ErrorCode(unknown), "NoSuchBucket")
    }

    /// Handler processes are started with the endpoint (on the port actually bound, here a
    /// random one) and the local credentials.
    func testHandlersAreToldWhereTheStoreIs() async throws {
        let response = try await HTTPClient.send("GET", "\(Self.emulator.baseURL)/fixture/items/1")
        XCTAssertEqual(response.status, 200)
        let environment = try XCTUnwrap(Self.handlerEnvironment(of: Self.emulator))
        XCTAssertEqual(environment["VERDICT_S3_ENDPOINT"], endpoint)
        XCTAssertEqual(environment["AWS_ACCESS_KEY_ID"], "verdict-local")
        XCTAssertEqual(environment["AWS_SECRET_ACCESS_KEY"], Self.secret)
        XCTAssertNil(environment["AWS_SESSION_TOKEN"])
    }

    func testSecretAndRootOptions() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-s3-root-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let emulator = try EmulatorProcess(
            template: "Tests/Fixtures/test-template.yaml",
            arguments: ["--no-schedules", "--s3-secret", "given-secret", "--s3-root", root.path])
        defer { emulator.stop() }
        let store = try store(secret: "given-secret", endpoint: "\(emulator.baseURL)/_s3")
        try store.put("k.txt", bytes: Array("v".utf8))
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("\(Self.bucket)/k.txt")), Data("v".utf8))
        XCTAssertThrowsError(try self.store(endpoint: "\(emulator.baseURL)/_s3").get("k.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: emulator.stateDirectory.appendingPathComponent("s3-credentials").path))
    }

    func testExternalEndpointIsPassedThroughAndNotServed() async throws {
        let emulator = try EmulatorProcess(
            template: "Tests/Fixtures/test-template.yaml", arguments: ["--no-schedules", "--s3-endpoint", "http://minio.invalid:9000"])
        defer { emulator.stop() }
        let notServed = try await HTTPClient.send("GET", "\(emulator.baseURL)/_s3/\(Self.bucket)/k")
        XCTAssertEqual(notServed.status, 501)
        XCTAssertEqual(s3ErrorCode(notServed), "NotImplemented")

        let response = try await HTTPClient.send("GET", "\(emulator.baseURL)/fixture/items/1")
        XCTAssertEqual(response.status, 200)
        let environment = try XCTUnwrap(Self.handlerEnvironment(of: emulator))
        XCTAssertEqual(environment["VERDICT_S3_ENDPOINT"], "http://minio.invalid:9000")
        XCTAssertNotEqual(environment["AWS_ACCESS_KEY_ID"], "verdict-local")
    }

    /// The environment of a handler process the emulator started (Linux /proc).
    static func handlerEnvironment(of emulator: EmulatorProcess) -> [String: String]? {
        let parent = emulator.process.processIdentifier
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in processes where Int32(pid) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == parent,
                let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { continue }
            var environment: [String: String] = [:]
            for entry in environ.split(separator: 0) {
                let text = String(decoding: entry, as: UTF8.self)
                guard let equals = text.firstIndex(of: "=") else { continue }
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            if environment["AWS_LAMBDA_RUNTIME_API"] != nil { return environment }
        }
        return nil
    }
}
