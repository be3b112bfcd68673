import Foundation
import VerdictTestSupport
import XCTest

@testable import VerdictS3

/// Compares presigned URLs byte for byte with botocore's `generate_presigned_url`.
/// python3 with botocore is a hard requirement (CI installs it): a missing interpreter
/// fails the test rather than skipping it, so parity can never silently go unchecked.
final class BotocoreParityTests: XCTestCase {
    struct Case: Codable {
        var name: String
        var endpoint: String
        var style: String
        var method: String
        var bucket: String
        var key: String
        var expires: Int = 3600
        var region: String = "us-east-1"
        var accessKeyID: String = "AKIDEXAMPLE"
        var secret: String = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var token: String? = nil
        var contentType: String? = nil
        /// Seconds since 1970; 2024-05-06T07:08:09Z unless a case needs another instant.
        var epoch: Int = 1_714_979_289
    }

    static let unicodeKey = "reports/ünïcødé ✓/a b+c.json"
    static let specialKey = "odd/a+b=c&d~e!f'(g)*h;i:j@k$l,m"

    static let cases: [Case] = [
        Case(
            name: "virtual GET unicode", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "GET", bucket: "verdict-reports", key: unicodeKey),
        Case(
            name: "path GET unicode", endpoint: "https://s3.us-east-1.amazonaws.com", style: "path", method: "GET",
            bucket: "verdict-reports", key: unicodeKey),
        Case(
            name: "virtual PUT unicode", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "PUT", bucket: "verdict-reports", key: unicodeKey),
        Case(
            name: "path PUT emulator prefix", endpoint: "http://127.0.0.1:8080/_s3", style: "path", method: "PUT",
            bucket: "verdict-reports", key: "runs/run 42/junit report.xml"),
        Case(
            name: "path GET emulator prefix with slash", endpoint: "http://localhost:4566/_s3/", style: "path",
            method: "GET", bucket: "verdict-reports", key: unicodeKey),
        Case(
            name: "virtual GET special characters", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "GET", bucket: "verdict-reports", key: specialKey),
        Case(
            name: "path PUT special characters", endpoint: "http://127.0.0.1:8080/_s3", style: "path", method: "PUT",
            bucket: "verdict-reports", key: specialKey),
        Case(
            name: "reserved characters", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "GET", bucket: "verdict-reports", key: "q?#%25[]\"<>\\^`{|} tab\tend"),
        Case(
            name: "leading and doubled slashes", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "GET", bucket: "verdict-reports", key: "/lead//double/"),
        Case(
            name: "dot segments kept", endpoint: "http://127.0.0.1:8080/_s3", style: "path", method: "GET",
            bucket: "verdict-reports", key: "a/../b/./c"),
        Case(
            name: "virtual GET session token", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "GET", bucket: "verdict-reports", key: unicodeKey, token: "FwoGZXIvYXdzEJr//////////wEaDM+token=="),
        Case(
            name: "path PUT session token", endpoint: "http://127.0.0.1:8080/_s3", style: "path", method: "PUT",
            bucket: "verdict-reports", key: "a b/c", token: "session/token+with=specials"),
        Case(
            name: "virtual PUT content type", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual",
            method: "PUT", bucket: "verdict-reports", key: "r.json", contentType: "application/json"),
        Case(
            name: "path PUT content type and token", endpoint: "http://127.0.0.1:8080/_s3", style: "path",
            method: "PUT", bucket: "verdict-reports", key: "r.xml", token: "tok",
            contentType: "text/xml;   charset=utf-8 "),
        Case(
            name: "HEAD", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual", method: "HEAD",
            bucket: "verdict-reports", key: "k"),
        Case(
            name: "DELETE", endpoint: "http://127.0.0.1:8080/_s3", style: "path", method: "DELETE",
            bucket: "verdict-reports", key: "k"),
        Case(
            name: "explicit default https port and mixed case", endpoint: "https://S3.Example.COM:443",
            style: "virtual", method: "GET", bucket: "verdict-reports", key: "k"),
        Case(
            name: "explicit default http port", endpoint: "http://127.0.0.1:80/_s3", style: "path", method: "GET",
            bucket: "verdict-reports", key: "k"),
        Case(
            name: "virtual on localhost with port", endpoint: "http://localhost:9000", style: "virtual", method: "GET",
            bucket: "verdict-reports", key: "k"),
        Case(
            name: "virtual with prefix", endpoint: "https://storage.example.com/s3", style: "virtual", method: "GET",
            bucket: "verdict-reports", key: "k"),
        Case(
            name: "virtual falls back on IP endpoint", endpoint: "http://127.0.0.1:9000", style: "virtual",
            method: "GET", bucket: "verdict-reports", key: "k"),
        Case(
            name: "virtual falls back on IPv6 endpoint", endpoint: "http://[::1]:9000", style: "virtual", method: "GET",
            bucket: "verdict-reports", key: "k"),
        Case(
            name: "virtual dotted bucket over https falls back", endpoint: "https://s3.us-east-1.amazonaws.com",
            style: "virtual", method: "GET", bucket: "verdict.reports", key: "k"),
        Case(
            name: "virtual dotted bucket over http", endpoint: "http://localhost:9000", style: "virtual", method: "GET",
            bucket: "verdict.reports", key: "k"),
        Case(
            name: "virtual upper-case bucket falls back", endpoint: "https://s3.us-east-1.amazonaws.com",
            style: "virtual", method: "GET", bucket: "Verdict_Reports", key: "k"),
        Case(
            name: "virtual IPv4-shaped bucket falls back", endpoint: "https://s3.us-east-1.amazonaws.com",
            style: "virtual", method: "GET", bucket: "192.168.1.1", key: "k"),
        Case(
            name: "minimum expiry", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual", method: "GET",
            bucket: "verdict-reports", key: "k", expires: 1),
        Case(
            name: "maximum expiry", endpoint: "https://s3.us-east-1.amazonaws.com", style: "virtual", method: "GET",
            bucket: "verdict-reports", key: "k", expires: 604_800),
        Case(
            name: "other region, key and leap day", endpoint: "https://s3.eu-west-1.amazonaws.com", style: "path",
            method: "PUT", bucket: "verdict-reports", key: "k", region: "eu-west-1", accessKeyID: "AKIA+ODD=KEY",
            secret: "s3cr3t", epoch: 951_782_400),
    ]

    /// Freezes botocore's clock by patching the name `botocore.auth` imported
    /// `get_current_datetime` under, and reads the cases as JSON from stdin.
    static let script = #"""
        import datetime, json, sys
        from unittest import mock
        import botocore.session
        from botocore.config import Config

        OPERATIONS = {'GET': 'get_object', 'PUT': 'put_object', 'HEAD': 'head_object', 'DELETE': 'delete_object'}
        session = botocore.session.get_session()
        urls = []
        for case in json.load(sys.stdin):
            client = session.create_client(
                's3', region_name=case['region'], endpoint_url=case['endpoint'],
                aws_access_key_id=case['accessKeyID'], aws_secret_access_key=case['secret'],
                aws_session_token=case.get('token'),
                config=Config(signature_version='s3v4', s3={'addressing_style': case['style']}))
            params = {'Bucket': case['bucket'], 'Key': case['key']}
            if case.get('contentType') is not None:
                params['ContentType'] = case['contentType']
            now = datetime.datetime.fromtimestamp(case['epoch'], datetime.timezone.utc).replace(tzinfo=None)
            with mock.patch('botocore.auth.get_current_datetime', return_value=now):
                urls.append(client.generate_presigned_url(OPERATIONS[case['method']], Params=params, ExpiresIn=case['expires']))
        json.dump(urls, sys.stdout)
        """#

    func testPresignedURLsMatchBotocore() throws {
        let expected = try runBotocore(Self.cases)
        XCTAssertEqual(expected.count, Self.cases.count)
        for (testCase, botocoreURL) in zip(Self.cases, expected) {
            let ours = try presign(testCase)
            XCTAssertEqual(ours, botocoreURL, "case '\(testCase.name)'")
        }
    }

    /// The emulator must accept what real clients produce, not only what we produce.
    func testVerifierAcceptsBotocoreURLs() throws {
        let expected = try runBotocore(Self.cases)
        for (testCase, botocoreURL) in zip(Self.cases, expected) {
            let verifier = SigV4Verifier(region: testCase.region, secrets: [testCase.accessKeyID: testCase.secret])
            let headers = testCase.contentType.map { [(name: "Content-Type", value: $0)] } ?? []
            let request = try XCTUnwrap(
                incomingRequest(for: botocoreURL, method: testCase.method, extraHeaders: headers))
            do {
                let verified = try verifier.verify(
                    request, now: AmzDate(secondsSince1970: testCase.epoch + testCase.expires))
                XCTAssertEqual(verified.accessKeyID, testCase.accessKeyID, "case '\(testCase.name)'")
                XCTAssertTrue(verified.path.hasSuffix("/" + testCase.key), "case '\(testCase.name)': \(verified.path)")
                XCTAssertEqual(verified.sessionToken, testCase.token, "case '\(testCase.name)'")
            } catch {
                XCTFail("case '\(testCase.name)' rejected: \(error.code) \(error.message) \(error.details)")
            }
        }
    }

    private func presign(_ testCase: Case) throws -> String {
        let presigner = SigV4Presigner(
            credentials: SigV4Credentials(
                accessKeyID: testCase.accessKeyID, secretAccessKey: testCase.secret, sessionToken: testCase.token),
            region: testCase.region, endpoint: try S3Endpoint(testCase.endpoint),
            addressingStyle: testCase.style == "path" ? .path : .virtualHosted)
        return try presigner.presignedURL(
            try XCTUnwrap(S3Method(rawValue: testCase.method)), bucket: testCase.bucket, key: testCase.key,
            expiresIn: testCase.expires, signedAt: AmzDate(secondsSince1970: testCase.epoch),
            headers: testCase.contentType.map { ["Content-Type": $0] } ?? [:])
    }

    private func runBotocore(_ cases: [Case]) throws -> [String] {
        try JSONDecoder().decode([String].self, from: runPython(Self.script, input: JSONEncoder().encode(cases)))
    }
}
