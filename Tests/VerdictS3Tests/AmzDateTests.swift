import XCTest

@testable import VerdictS3

final class AmzDateTests: XCTestCase {
    func testAmzDate() {
        let date = AmzDate(iso8601Basic: "20000229T235959Z")
        XCTAssertEqual(date?.secondsSince1970, 951_868_799)
        XCTAssertEqual(date?.iso8601Basic, "20000229T235959Z")
        XCTAssertEqual(date?.iso8601Extended, "2000-02-29T23:59:59Z")
        XCTAssertEqual(date?.dateStamp, "20000229")
        XCTAssertEqual(AmzDate(secondsSince1970: 0).iso8601Basic, "19700101T000000Z")
        for bad in [
            "20010229T000000Z", "20240506T240000Z", "20240506T070809", "20240506 070809Z", "2024050AT070809Z",
            "+0240506T070809Z", "",
        ] {
            XCTAssertNil(AmzDate(iso8601Basic: bad), bad)
        }
    }
}
