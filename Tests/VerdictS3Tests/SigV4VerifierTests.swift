import Foundation
import XCTest

@testable import VerdictS3

final class SigV4VerifierTests: XCTestCase {
    let credentials = SigV4Credentials(accessKeyID: "AKIDVERDICT", secretAccessKey: "verdict-secret/+=")
    let signedAt = AmzDate(iso8601Basic: "20240506T070809Z")!
    let key = "reports/ünïcødé ✓/a b+c.json"
    lazy var verifier = SigV4Verifier(
        region: "us-east-1", secrets: [credentials.accessKeyID: credentials.secretAccessKey])

    let signatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."

    func presign(
        _ method: S3Method = .get, key: String? = nil, endpoint: String = "http://127.0.0.1:8080/_s3",
        style: S3AddressingStyle = .path, expiresIn: Int = 900, headers: [String: String] = [:],
        credentials: SigV4Credentials? = nil
    ) throws -> String {
        let presigner = SigV4Presigner(
            credentials: credentials ?? self.credentials, region: "us-east-1", endpoint: try S3Endpoint(endpoint),
            addressingStyle: style)
        return try presigner.presignedURL(
            method, bucket: "verdict-reports", key: key ?? self.key, expiresIn: expiresIn, signedAt: signedAt,
            headers: headers)
    }

    func testAcceptsPathStyleURLWithPrefix() throws {
        let url = try presign()
        let verified = try verifier.verify(
            XCTUnwrap(incomingRequest(for: url, method: "GET")), now: signedAt.adding(seconds: 60))
        XCTAssertEqual(verified.path, "/_s3/verdict-reports/\(key)")
        XCTAssertEqual(verified.accessKeyID, "AKIDVERDICT")
        XCTAssertEqual(verified.signedAt, signedAt)
        XCTAssertEqual(verified.expiresAt, signedAt.adding(seconds: 900))
        XCTAssertEqual(verified.signedHeaders, ["host"])
        XCTAssertNil(verified.sessionToken)
    }

    func testAcceptsVirtualHostedURLAndEveryMethod() throws {
        for method in S3Method.allCases {
            let url = try presign(method, endpoint: "http://localhost:4566", style: .virtualHosted)
            XCTAssertTrue(url.hasPrefix("http://verdict-reports.localhost:4566/reports/"))
            let verified = try verifier.verify(
                XCTUnwrap(incomingRequest(for: url, method: method.rawValue)), now: signedAt)
            XCTAssertEqual(verified.path, "/\(key)")
        }
    }

    func testAcceptsSessionToken() throws {
        let temporary = SigV4Credentials(
            accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
            sessionToken: "tok/en+==")
        let url = try presign(credentials: temporary)
        let verified = try verifier.verify(XCTUnwrap(incomingRequest(for: url, method: "GET")), now: signedAt)
        XCTAssertEqual(verified.sessionToken, "tok/en+==")
    }

    /// Clients may escape more than they must, or in lower-case hex; the signature is
    /// over the canonical form, so that must not matter.
    func testAcceptsEquivalentEncodingsOfThePath() throws {
        let url = try presign(key: "a~b/ü")
        XCTAssertTrue(url.contains("/a~b/%C3%BC?"))
        let reencoded = url.replacingOccurrences(of: "/a~b/%C3%BC?", with: "/a%7Eb/%c3%bc?")
        XCTAssertNoThrow(try verifier.verify(XCTUnwrap(incomingRequest(for: reencoded, method: "GET")), now: signedAt))
    }

    func testAcceptsHostWithExplicitDefaultPortAndCase() throws {
        let url = try presign(endpoint: "http://Emulator.Local:80/_s3")
        XCTAssertTrue(url.hasPrefix("http://Emulator.Local:80/_s3/"))
        XCTAssertNoThrow(try verifier.verify(XCTUnwrap(incomingRequest(for: url, method: "GET")), now: signedAt))
        var request = try XCTUnwrap(incomingRequest(for: url, method: "GET"))
        request.headers = [("host", "emulator.local")]
        XCTAssertNoThrow(try verifier.verify(request, now: signedAt))
    }

    func testSignedContentTypeMustBeSent() throws {
        let url = try presign(.put, headers: ["Content-Type": "application/json"])
        XCTAssertTrue(url.contains("X-Amz-SignedHeaders=content-type%3Bhost&"))
        let good = incomingRequest(for: url, method: "PUT", extraHeaders: [("content-type", "application/json")])
        XCTAssertEqual(try verifier.verify(XCTUnwrap(good), now: signedAt).signedHeaders, ["content-type", "host"])

        let other = incomingRequest(for: url, method: "PUT", extraHeaders: [("Content-Type", "text/html")])
        XCTAssertEqual(verificationError(verifier, other, now: signedAt)?.code, .signatureDoesNotMatch)
        XCTAssertEqual(
            verificationError(verifier, incomingRequest(for: url, method: "PUT"), now: signedAt)?.code,
            .signatureDoesNotMatch)
    }

    func testRejectsTamperedKey() throws {
        let url = try presign()
        let tampered = url.replacingOccurrences(of: "/a%20b%2Bc.json?", with: "/a%20b%2Bd.json?")
        XCTAssertNotEqual(tampered, url)
        let error = try XCTUnwrap(
            verificationError(verifier, incomingRequest(for: tampered, method: "GET"), now: signedAt))
        XCTAssertEqual(error.code, .signatureDoesNotMatch)
        XCTAssertEqual(error.message, signatureMismatch)
        XCTAssertEqual(error.httpStatus, 403)
        XCTAssertEqual(
            error.details.map(\.name), ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "CanonicalRequest"])
        XCTAssertTrue(error.details[3].value.contains("/a%20b%2Bd.json\n"))
    }

    func testRejectsTamperedSignature() throws {
        let url = try presign()
        let signature = String(url.split(separator: "=").last!)
        let flipped = String(signature.dropLast()) + (signature.hasSuffix("0") ? "1" : "0")
        let tampered = replacingQueryValue("X-Amz-Signature", with: flipped, in: url)
        let error = try XCTUnwrap(
            verificationError(verifier, incomingRequest(for: tampered, method: "GET"), now: signedAt))
        XCTAssertEqual(error.code, .signatureDoesNotMatch)
        XCTAssertEqual(error.message, signatureMismatch)
    }

    func testRejectsOtherTampering() throws {
        let url = try presign()
        let cases: [(String, IncomingS3Request?)] = [
            ("method", incomingRequest(for: url, method: "PUT")),
            ("added parameter", incomingRequest(for: url + "&response-content-type=text%2Fhtml", method: "GET")),
            (
                "expiry",
                incomingRequest(for: replacingQueryValue("X-Amz-Expires", with: "3600", in: url), method: "GET")
            ),
            (
                "host",
                incomingRequest(
                    for: url.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:8081"), method: "GET")
            ),
            (
                "bucket",
                incomingRequest(
                    for: url.replacingOccurrences(of: "/verdict-reports/", with: "/verdict-other/"), method: "GET")
            ),
        ]
        for (name, request) in cases {
            XCTAssertEqual(verificationError(verifier, request, now: signedAt)?.code, .signatureDoesNotMatch, name)
        }
    }

    func testRejectsWrongSecret() throws {
        let url = try presign(
            credentials: SigV4Credentials(accessKeyID: credentials.accessKeyID, secretAccessKey: "not-the-secret"))
        let error = try XCTUnwrap(verificationError(verifier, incomingRequest(for: url, method: "GET"), now: signedAt))
        XCTAssertEqual(error.code, .signatureDoesNotMatch)
        XCTAssertEqual(error.message, signatureMismatch)
    }

    func testRejectsUnknownAccessKey() throws {
        let url = try presign(
            credentials: SigV4Credentials(accessKeyID: "AKIDUNKNOWN", secretAccessKey: credentials.secretAccessKey))
        let error = try XCTUnwrap(verificationError(verifier, incomingRequest(for: url, method: "GET"), now: signedAt))
        XCTAssertEqual(error.code, .invalidAccessKeyId)
        XCTAssertEqual(error.message, "The AWS Access Key Id you provided does not exist in our records.")
        XCTAssertEqual(error.httpStatus, 403)
        XCTAssertEqual(error.details, [.init("AWSAccessKeyId", "AKIDUNKNOWN")])
    }

    func testExpiry() throws {
        let url = try presign(expiresIn: 900)
        let request = incomingRequest(for: url, method: "GET")
        XCTAssertNoThrow(try verifier.verify(XCTUnwrap(request), now: signedAt.adding(seconds: 900)))

        let error = try XCTUnwrap(verificationError(verifier, request, now: signedAt.adding(seconds: 901)))
        XCTAssertEqual(error.code, .accessDenied)
        XCTAssertEqual(error.message, "Request has expired")
        XCTAssertEqual(error.httpStatus, 403)
        XCTAssertEqual(
            error.details,
            [
                .init("X-Amz-Expires", "900"), .init("Expires", "2024-05-06T07:23:09Z"),
                .init("ServerTime", "2024-05-06T07:23:10Z"),
            ])
    }

    func testRejectsURLsFromTheFuture() throws {
        let request = incomingRequest(for: try presign(), method: "GET")
        XCTAssertNoThrow(try verifier.verify(XCTUnwrap(request), now: signedAt.adding(seconds: -900)))
        let error = try XCTUnwrap(verificationError(verifier, request, now: signedAt.adding(seconds: -901)))
        XCTAssertEqual(error.code, .accessDenied)
        XCTAssertEqual(error.message, "Request is not valid yet")
    }

    func testMalformedQueryParameters() throws {
        let url = try presign()
        let missing =
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        let withoutSignature = String(url[..<url.firstRange(of: "&X-Amz-Signature=")!.lowerBound])
        let cases: [(String, String)] = [
            (withoutSignature, missing),
            (String(url[..<url.firstIndex(of: "?")!]), missing),
            (
                replacingQueryValue("X-Amz-Algorithm", with: "AWS4-HMAC-SHA1", in: url),
                "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""
            ),
            (
                replacingQueryValue("X-Amz-Date", with: "2024-05-06T07:08:09Z", in: url),
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
            ),
            (
                replacingQueryValue("X-Amz-Date", with: "20240230T070809Z", in: url),
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
            ),
            (
                replacingQueryValue("X-Amz-Expires", with: "604801", in: url),
                "X-Amz-Expires must be less than a week (in seconds) that is; 604800"
            ),
            (
                replacingQueryValue("X-Amz-Expires", with: "99999999999999999999999", in: url),
                "X-Amz-Expires must be less than a week (in seconds) that is; 604800"
            ),
            (replacingQueryValue("X-Amz-Expires", with: "-5", in: url), "X-Amz-Expires must be non-negative"),
            (replacingQueryValue("X-Amz-Expires", with: "soon", in: url), "X-Amz-Expires should be a number"),
            (
                replacingQueryValue("X-Amz-Credential", with: "AKIDVERDICT%2F20240506%2Fus-east-1%2Fs3", in: url),
                "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
            ),
            (
                replacingQueryValue(
                    "X-Amz-Credential", with: "AKIDVERDICT%2F20240506%2Feu-west-1%2Fs3%2Faws4_request", in: url),
                "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'"
            ),
            (
                replacingQueryValue(
                    "X-Amz-Credential", with: "AKIDVERDICT%2F20240506%2Fus-east-1%2Fsqs%2Faws4_request", in: url),
                "Error parsing the X-Amz-Credential parameter; incorrect service \"sqs\". This endpoint belongs to \"s3\"."
            ),
            (
                replacingQueryValue(
                    "X-Amz-Credential", with: "AKIDVERDICT%2F20240506%2Fus-east-1%2Fs3%2Faws5_request", in: url),
                "Error parsing the X-Amz-Credential parameter; incorrect terminal \"aws5_request\". This endpoint uses \"aws4_request\"."
            ),
            (
                replacingQueryValue("X-Amz-SignedHeaders", with: "content-type", in: url),
                "X-Amz-SignedHeaders must include the host header."
            ),
            (
                url + "&X-Amz-Date=20240506T070809Z",
                "Query-string authentication version 4 requires exactly one X-Amz-Date parameter."
            ),
        ]
        for (badURL, message) in cases {
            let error = try XCTUnwrap(
                verificationError(verifier, incomingRequest(for: badURL, method: "GET"), now: signedAt), badURL)
            XCTAssertEqual(error.code, .authorizationQueryParametersError, badURL)
            XCTAssertEqual(error.message, message, badURL)
            XCTAssertEqual(error.httpStatus, 400, badURL)
        }
    }

    func testAnyRegionWhenUnconfigured() throws {
        let presigner = SigV4Presigner(
            credentials: credentials, region: "ap-southeast-2", endpoint: try S3Endpoint("http://127.0.0.1:8080"),
            addressingStyle: .path)
        let url = try presigner.presignedURL(.get, bucket: "b", key: "k", expiresIn: 60, signedAt: signedAt)
        let anyRegion = SigV4Verifier(region: nil, secrets: [credentials.accessKeyID: credentials.secretAccessKey])
        XCTAssertNoThrow(try anyRegion.verify(XCTUnwrap(incomingRequest(for: url, method: "GET")), now: signedAt))
        XCTAssertEqual(
            verificationError(verifier, incomingRequest(for: url, method: "GET"), now: signedAt)?.details,
            [.init("Region", "us-east-1")])
    }

    func testErrorXML() {
        XCTAssertEqual(
            S3Error(.accessDenied, "Request has expired").xmlBody(requestID: "4442587FB7D0A2F9"),
            #"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"#
        )
        XCTAssertEqual(
            S3Error(.signatureDoesNotMatch, "a<b & \"c\"", details: [.init("StringToSign", "x'y\r\nz")]).xmlBody(
                requestID: "r&1"),
            #"<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>a&lt;b &amp; &quot;c&quot;</Message>"#
                + "<StringToSign>x&apos;y&#13;\nz</StringToSign><RequestId>r&amp;1</RequestId></Error>"
        )
    }
}
