import XCTest

@testable import VerdictS3

final class S3EndpointTests: XCTestCase {
    func testEndpointParsing() throws {
        let endpoint = try S3Endpoint("HTTP://Emulator.Local:8080/_s3/")
        XCTAssertEqual(endpoint.scheme, "http")
        XCTAssertEqual(endpoint.authority, "Emulator.Local:8080")
        XCTAssertEqual(endpoint.hostHeader, "emulator.local:8080")
        XCTAssertEqual(endpoint.pathPrefix, "/_s3")
        XCTAssertEqual(try S3Endpoint("https://[::1]:443").hostHeader, "[::1]")
        XCTAssertEqual(try S3Endpoint("https://s3.amazonaws.com").pathPrefix, "")

        for bad in [
            "s3.amazonaws.com", "ftp://host", "https://", "https://user@host", "https://host?x=1", "https://host:99999",
            "https://host:", "http://::1:9000", "http://a]b", "https://host/a//b", "https://host/a/../b",
            "https://host/a%20b", "https://[::1",
        ] {
            XCTAssertThrowsError(try S3Endpoint(bad), bad)
        }
    }
}
