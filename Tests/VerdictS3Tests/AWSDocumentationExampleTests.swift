import XCTest

@testable import VerdictS3

/// The worked example from the S3 API reference, "Authenticating Requests: Using Query
/// Parameters (AWS Signature Version 4)": an independent check that does not depend on botocore.
final class AWSDocumentationExampleTests: XCTestCase {
    let credentials = SigV4Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    let signedAt = AmzDate(iso8601Basic: "20130524T000000Z")!
    let expectedSignature = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

    func testPresignedURLMatchesPublishedExample() throws {
        let presigner = SigV4Presigner(
            credentials: credentials, region: "us-east-1", endpoint: try S3Endpoint("https://s3.amazonaws.com"))
        let url = try presigner.presignedURL(
            .get, bucket: "examplebucket", key: "test.txt", expiresIn: 86400, signedAt: signedAt)
        XCTAssertEqual(
            url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=\(expectedSignature)")
    }

    func testIntermediateValuesMatchPublishedExample() {
        let scope = SigV4Signature.Scope(dateStamp: "20130524", region: "us-east-1", service: "s3")
        let canonicalRequest = SigV4Signature.canonicalRequest(
            method: "GET", canonicalURI: "/test.txt",
            canonicalQuery:
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host",
            headers: [("host", "examplebucket.s3.amazonaws.com")])
        let stringToSign = SigV4Signature.stringToSign(date: signedAt, scope: scope, canonicalRequest: canonicalRequest)
        XCTAssertEqual(
            stringToSign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                + "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04")
        XCTAssertEqual(
            SigV4Signature.signature(
                secretAccessKey: credentials.secretAccessKey, scope: scope, stringToSign: stringToSign),
            expectedSignature)
    }

    func testVerifierAcceptsPublishedExample() throws {
        let url =
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=\(expectedSignature)"
        let verifier = SigV4Verifier(
            region: "us-east-1", secrets: [credentials.accessKeyID: credentials.secretAccessKey])
        let request = try XCTUnwrap(incomingRequest(for: url, method: "GET"))
        let verified = try verifier.verify(request, now: signedAt.adding(seconds: 3600))
        XCTAssertEqual(verified.accessKeyID, "AKIAIOSFODNN7EXAMPLE")
        XCTAssertEqual(verified.path, "/test.txt")
        XCTAssertEqual(verified.expiresAt, AmzDate(iso8601Basic: "20130525T000000Z"))
    }
}
