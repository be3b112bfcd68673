import Foundation
import VerdictTestSupport
import XCTest

@testable import VerdictS3

/// ListObjectsV2 URLs compared byte for byte with botocore's
/// `generate_presigned_url('list_objects_v2', Params=…)`, which puts the operation's query
/// members (and its own `encoding-type=url`) before the signature parameters and signs them.
/// Like the other parity tests, a missing python3/botocore fails rather than skips.
final class ListObjectsV2ParityTests: XCTestCase {
    struct Case: Codable {
        var name: String
        var endpoint: String
        var style: String
        var bucket: String = "verdict-reports"
        var prefix: String?
        var delimiter: String?
        var maxKeys: Int?
        var continuationToken: String?
        var startAfter: String?
        var expires: Int = 900
        var region: String = "us-east-1"
        var accessKeyID: String = "AKIDEXAMPLE"
        var secret: String = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var token: String?
        var epoch: Int = 1_714_979_289

        var request: ListObjectsV2Request {
            ListObjectsV2Request(
                prefix: prefix, delimiter: delimiter, maxKeys: maxKeys, continuationToken: continuationToken,
                startAfter: startAfter)
        }
    }

    static let cases: [Case] = [
        Case(name: "path emulator, no parameters", endpoint: "http://127.0.0.1:8080/_s3", style: "path"),
        Case(name: "virtual AWS, no parameters", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual"),
        Case(name: "path AWS, no parameters", endpoint: "https://s3.us-east-1.amazonaws.com", style: "path"),
        Case(name: "virtual with endpoint prefix", endpoint: "https://storage.example.com/s3", style: "virtual"),
        Case(name: "path with endpoint prefix and trailing slash", endpoint: "http://localhost:4566/_s3/", style: "path"),
        Case(name: "virtual on localhost with port", endpoint: "http://localhost:9000", style: "virtual", prefix: "x"),
        Case(name: "empty prefix is sent", endpoint: "http://127.0.0.1:8080/_s3", style: "path", prefix: ""),
        Case(
            name: "everything, unicode and specials", endpoint: "http://127.0.0.1:8080/_s3", style: "path",
            prefix: "runs/ünï ✓/a+b=c&d", delimiter: "/", maxKeys: 7, continuationToken: "azpydW5zL2EgYg==/+",
            startAfter: "runs/0 1"),
        Case(
            name: "virtual, prefix and pagination", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            prefix: "reports/", maxKeys: 1000, continuationToken: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="),
        Case(
            name: "session token and other region", endpoint: "https://s3.eu-west-1.amazonaws.com", style: "virtual",
            prefix: "p", delimiter: "|", region: "eu-west-1", token: "FwoGZXIvYXdzEJr//////////wEaDM+token=="),
        Case(
            name: "dotted bucket falls back to path", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            bucket: "verdict.reports", startAfter: "k"),
    ]

    static let script = #"""
        import datetime, json, sys
        from unittest import mock
        import botocore.session
        from botocore.config import Config

        session = botocore.session.get_session()
        urls = []
        for case in json.load(sys.stdin):
            client = session.create_client(
                's3', region_name=case['region'], endpoint_url=case['endpoint'],
                aws_access_key_id=case['accessKeyID'], aws_secret_access_key=case['secret'],
                aws_session_token=case.get('token'),
                config=Config(signature_version='s3v4', s3={'addressing_style': case['style']}))
            params = {'Bucket': case['bucket']}
            for field, name in [('prefix', 'Prefix'), ('delimiter', 'Delimiter'), ('maxKeys', 'MaxKeys'),
                                ('continuationToken', 'ContinuationToken'), ('startAfter', 'StartAfter')]:
                if case.get(field) is not None:
                    params[name] = case[field]
            now = datetime.datetime.fromtimestamp(case['epoch'], datetime.timezone.utc).replace(tzinfo=None)
            with mock.patch('botocore.auth.get_current_datetime', return_value=now):
                urls.append(client.generate_presigned_url('list_objects_v2', Params=params, ExpiresIn=case['expires']))
        json.dump(urls, sys.stdout)
        """#

    func testListObjectsV2URLsMatchBotocore() throws {
        let expected = try runPython(Self.script, input: JSONEncoder().encode(Self.cases))
        let urls = try JSONDecoder().decode([String].self, from: expected)
        XCTAssertEqual(urls.count, Self.cases.count)
        for (testCase, botocoreURL) in zip(Self.cases, urls) {
            XCTAssertEqual(try presign(testCase), botocoreURL, "case '\(testCase.name)'")
        }
    }

    func testVerifierAcceptsBotocoreListURLs() throws {
        let expected = try runPython(Self.script, input: JSONEncoder().encode(Self.cases))
        let urls = try JSONDecoder().decode([String].self, from: expected)
        for (testCase, botocoreURL) in zip(Self.cases, urls) {
            let verifier = SigV4Verifier(region: testCase.region, secrets: [testCase.accessKeyID: testCase.secret])
            let request = try XCTUnwrap(incomingRequest(for: botocoreURL, method: "GET"))
            do {
                let verified = try verifier.verify(request, now: AmzDate(secondsSince1970: testCase.epoch + 1))
                XCTAssertEqual(verified.accessKeyID, testCase.accessKeyID, "case '\(testCase.name)'")
            } catch {
                XCTFail("case '\(testCase.name)' rejected: \(error.code) \(error.message)")
            }
            // The list parameters are signed: changing one breaks the signature.
            if testCase.prefix != nil {
                let tampered = replacingQueryValue("prefix", with: "elsewhere", in: botocoreURL)
                let error = verificationError(
                    verifier, incomingRequest(for: tampered, method: "GET"), now: AmzDate(secondsSince1970: testCase.epoch + 1))
                XCTAssertEqual(error?.code, .signatureDoesNotMatch, "case '\(testCase.name)'")
            }
        }
    }

    func testBucketURLsNeedNoKeyButAValidBucket() throws {
        let presigner = SigV4Presigner(
            credentials: SigV4Credentials(accessKeyID: "AK", secretAccessKey: "SK"), region: "us-east-1",
            endpoint: try S3Endpoint("http://127.0.0.1:8080/_s3"), addressingStyle: .path)
        let url = try presigner.presignedListObjectsV2URL(
            bucket: "b-1", ListObjectsV2Request(prefix: "a b"), expiresIn: 60, signedAt: AmzDate(secondsSince1970: 0))
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:8080/_s3/b-1?list-type=2&prefix=a%20b&encoding-type=url&X-Amz-Algorithm="), url)
        XCTAssertThrowsError(try presigner.presignedListObjectsV2URL(bucket: "bad/bucket", expiresIn: 60)) { error in
            XCTAssertEqual(error as? SigV4PresignError, .invalidBucketName("bad/bucket"))
        }
        XCTAssertThrowsError(try presigner.presignedListObjectsV2URL(bucket: "b", expiresIn: 0)) { error in
            XCTAssertEqual(error as? SigV4PresignError, .expiryOutOfRange(0))
        }
    }

    private func presign(_ testCase: Case) throws -> String {
        let presigner = SigV4Presigner(
            credentials: SigV4Credentials(
                accessKeyID: testCase.accessKeyID, secretAccessKey: testCase.secret, sessionToken: testCase.token),
            region: testCase.region, endpoint: try S3Endpoint(testCase.endpoint),
            addressingStyle: testCase.style == "path" ? .path : .virtualHosted)
        return try presigner.presignedListObjectsV2URL(
            bucket: testCase.bucket, testCase.request, expiresIn: testCase.expires,
            signedAt: AmzDate(secondsSince1970: testCase.epoch))
    }
}
