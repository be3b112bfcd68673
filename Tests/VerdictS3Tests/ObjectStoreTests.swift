import XCTest

@testable import VerdictS3

/// How the handler-side client configures itself and builds its URLs (no server needed;
/// the end-to-end tests send real requests to the emulator).
final class ObjectStoreTests: XCTestCase {
    static let lambdaEnvironment = [
        "ARTIFACTS_BUCKET": "verdict-artifacts",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret/+=",
        "AWS_SESSION_TOKEN": "token/+=",
    ]

    func configuration(_ overrides: [String: String?] = [:]) throws -> ObjectStoreConfiguration {
        var environment = Self.lambdaEnvironment
        for (key, value) in overrides { environment[key] = value }
        return try ObjectStoreConfiguration.fromEnvironment { environment[$0] }
    }

    func testOnLambdaTheRegionalEndpointIsUsedVirtualHosted() throws {
        let configuration = try configuration()
        XCTAssertEqual(configuration.bucket, "verdict-artifacts")
        XCTAssertEqual(configuration.region, "eu-west-1")
        XCTAssertEqual(configuration.endpoint, try S3Endpoint("https://s3.eu-west-1.amazonaws.com"))
        XCTAssertEqual(configuration.addressingStyle, .virtualHosted)
        XCTAssertEqual(
            configuration.credentials,
            SigV4Credentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret/+=", sessionToken: "token/+="))

        let url = try ObjectStore(configuration: configuration).presignedURL(.get, key: "runs/1/report.xml", expiresIn: 60)
        XCTAssertTrue(url.hasPrefix("https://verdict-artifacts.s3.eu-west-1.amazonaws.com/runs/1/report.xml?X-Amz-Algorithm="), url)
        XCTAssertTrue(url.contains("X-Amz-Security-Token=token%2F%2B%3D"), url)
    }

    func testTheEmulatorsEndpointMeansPathStyle() throws {
        let configuration = try configuration([
            "VERDICT_S3_ENDPOINT": "http://127.0.0.1:8080/_s3", "AWS_SESSION_TOKEN": "", "AWS_REGION": nil,
        ])
        XCTAssertEqual(configuration.addressingStyle, .path)
        XCTAssertEqual(configuration.endpoint.pathPrefix, "/_s3")
        XCTAssertEqual(configuration.region, "us-east-1")
        XCTAssertNil(configuration.credentials.sessionToken, "an empty token is no token")

        let store = ObjectStore(configuration: configuration)
        let url = try store.presignedURL(.put, key: "runs/run 42/ünï ✓.xml", expiresIn: 60, contentType: "application/xml")
        XCTAssertTrue(
            url.hasPrefix("http://127.0.0.1:8080/_s3/verdict-artifacts/runs/run%2042/%C3%BCn%C3%AF%20%E2%9C%93.xml?X-Amz-Algorithm="), url)
        XCTAssertTrue(url.contains("X-Amz-SignedHeaders=content-type%3Bhost"), url)

        // What the emulator's verifier will see, it accepts, with exactly that content type.
        let verifier = SigV4Verifier(region: nil, secrets: ["ASIAEXAMPLE": "secret/+="])
        XCTAssertNoThrow(
            try verifier.verify(XCTUnwrap(incomingRequest(for: url, method: "PUT", extraHeaders: [("Content-Type", "application/xml")]))))
        XCTAssertNotNil(
            verificationError(
                verifier, incomingRequest(for: url, method: "PUT", extraHeaders: [("Content-Type", "text/plain")]), now: .now()))
    }

    func testRegionFallsBackToTheDefaultRegion() throws {
        XCTAssertEqual(try configuration(["AWS_REGION": nil, "AWS_DEFAULT_REGION": "ap-south-1"]).region, "ap-south-1")
    }

    func testMissingSettingsAreConfigurationErrors() {
        for missing in ["ARTIFACTS_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            XCTAssertThrowsError(try configuration([missing: nil]), missing) { error in
                guard case .configuration = error as? ObjectStoreError else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try configuration(["VERDICT_S3_ENDPOINT": "ftp://example.com"])) { error in
            guard case .configuration = error as? ObjectStoreError else { return XCTFail("\(error)") }
        }
    }

    func testDownloadURLsCarryASignedFilename() throws {
        let store = ObjectStore(configuration: try configuration())
        let url = try store.presignedURL(.get, key: "r.xml", expiresIn: 600, downloadFilename: "report \"1\".xml")
        XCTAssertTrue(
            url.contains("/r.xml?response-content-disposition=attachment%3B%20filename%3D%22report%201.xml%22&X-Amz-Algorithm="), url)
        let verifier = SigV4Verifier(region: "eu-west-1", secrets: ["ASIAEXAMPLE": "secret/+="])
        XCTAssertNoThrow(try verifier.verify(XCTUnwrap(incomingRequest(for: url, method: "GET"))))
        let tampered = replacingQueryValue("response-content-disposition", with: "inline", in: url)
        XCTAssertEqual(
            verificationError(verifier, incomingRequest(for: tampered, method: "GET"), now: .now())?.code, .signatureDoesNotMatch)
    }

    func testKeysHTTPClientsWouldRewriteAreRefused() throws {
        let store = ObjectStore(configuration: try configuration())
        for key in ["", "a/../b", "./a", "a/.", String(repeating: "k", count: 1025)] {
            XCTAssertThrowsError(try store.presignedURL(.get, key: key, expiresIn: 60), key) { error in
                guard case .invalidKey = error as? ObjectStoreError else { return XCTFail("\(key): \(error)") }
            }
        }
        for key in ["a..b/.c/d.", "/lead", "a//b", String(repeating: "k", count: 1024)] {
            XCTAssertNoThrow(try store.presignedURL(.get, key: key, expiresIn: 60), key)
        }
    }

    func testUnreachableStoreIsATransportError() throws {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
        let store = ObjectStore(configuration: try configuration(["VERDICT_S3_ENDPOINT": "http://127.0.0.1:9/_s3"]))
        XCTAssertThrowsError(try store.head("k")) { error in
            guard case .transport = error as? ObjectStoreError else { return XCTFail("\(error)") }
        }
    }

    func testDigests() {
        XCTAssertEqual(ObjectDigest.hex(ObjectDigest.md5([])), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(
            ObjectDigest.etag(md5: ObjectDigest.md5(Array("The quick brown fox jumps over the lazy dog".utf8))),
            "\"9e107d9d372bb6826bd81d3542a419d6\"")
        XCTAssertEqual(
            ObjectDigest.hex(ObjectDigest.sha256(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let streamed = ObjectDigest(.sha256)
        for chunk in ["a", "", "bc"] { streamed.update(Array(chunk.utf8)) }
        XCTAssertEqual(ObjectDigest.hex(streamed.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            ["", "f", "fo", "foo", "foob", "fooba", "foobar"].map { ObjectDigest.base64(Array($0.utf8)) },
            ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"])
    }
}
