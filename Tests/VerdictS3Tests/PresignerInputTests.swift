import XCTest

@testable import VerdictS3

final class PresignerInputTests: XCTestCase {
    let presigner = SigV4Presigner(
        credentials: SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "secret"), region: "us-east-1",
        endpoint: try! S3Endpoint("https://s3.us-east-1.amazonaws.com"))

    func presignError(
        bucket: String = "bucket", key: String = "key", expiresIn: Int = 60, headers: [String: String] = [:]
    ) -> SigV4PresignError? {
        do {
            _ = try presigner.presignedURL(.get, bucket: bucket, key: key, expiresIn: expiresIn, headers: headers)
            return nil
        } catch {
            return error
        }
    }

    func testRejectsExpiryOutsideS3Limits() {
        XCTAssertEqual(presignError(expiresIn: 0), .expiryOutOfRange(0))
        XCTAssertEqual(presignError(expiresIn: 604_801), .expiryOutOfRange(604_801))
        XCTAssertNil(presignError(expiresIn: 1))
        XCTAssertNil(presignError(expiresIn: 604_800))
    }

    func testRejectsBadBucketKeyAndHeaders() {
        XCTAssertEqual(presignError(bucket: ""), .invalidBucketName(""))
        XCTAssertEqual(presignError(bucket: "a/b"), .invalidBucketName("a/b"))
        XCTAssertEqual(presignError(bucket: "bücket"), .invalidBucketName("bücket"))
        XCTAssertEqual(presignError(key: ""), .emptyKey)
        XCTAssertEqual(presignError(headers: ["Host": "elsewhere"]), .invalidHeader("Host"))
        XCTAssertEqual(presignError(headers: ["bad header": "x"]), .invalidHeader("bad header"))
    }

    func testUsesCurrentTimeByDefault() throws {
        let before = AmzDate.now()
        let url = try presigner.presignedURL(.get, bucket: "bucket", key: "key", expiresIn: 60)
        let dateParameter = try XCTUnwrap(url.split(separator: "&").first { $0.hasPrefix("X-Amz-Date=") })
        let signed = try XCTUnwrap(AmzDate(iso8601Basic: String(dateParameter.dropFirst("X-Amz-Date=".count))))
        XCTAssertGreaterThanOrEqual(signed, before)
        XCTAssertLessThanOrEqual(signed, AmzDate.now())
    }
}
