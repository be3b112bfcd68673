import VerdictCore
import XCTest

final class ReadParameterTests: XCTestCase {
    func testRFC3339AcceptsTheFormsTheAPIPromises() throws {
        XCTAssertEqual(try RFC3339.parse("2026-05-01T12:00:00Z", field: "since"), "2026-05-01T12:00:00Z")
        XCTAssertEqual(try RFC3339.parse("2026-05-01t12:00:00.123456z", field: "since"), "2026-05-01t12:00:00.123456z")
        XCTAssertEqual(try RFC3339.parse("2024-02-29T23:59:59-07:30", field: "since"), "2024-02-29T23:59:59-07:30")
        // A `+` sent unencoded in a query string arrives as a space.
        XCTAssertEqual(try RFC3339.parse("2026-05-01T12:00:00 02:00", field: "since"), "2026-05-01T12:00:00+02:00")
    }

    func testRFC3339RejectsWhatPostgreSQLWouldGuessAt() {
        let bad = [
            "now", "today", "epoch", "2026-05-01", "2026-05-01T12:00:00", "2026-05-01 12:00:00Z", "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-05-01T24:00:00Z", "2026-05-01T12:00:00.Z", "2026-05-01T12:00:00+2:00",
            "2026-05-01T12:00:00+02:00x", "2026-05-01T12:00:00ZZ", "2026-05-01T12:00:00+16:00", "0000-01-01T00:00:00Z",
            "２０２６-05-01T12:00:00Z",
        ]
        for text in bad {
            XCTAssertThrowsError(try RFC3339.parse(text, field: "until"), text) { error in
                guard case .invalid(let field, _) = error as? ServiceError else { return XCTFail("\(error)") }
                XCTAssertEqual(field, "until")
            }
        }
    }

    func testCaseStatusLists() throws {
        XCTAssertEqual(try ReadParameter.caseStatuses("failed"), [.failed])
        XCTAssertEqual(try ReadParameter.caseStatuses("failed, flaky,failed"), [.failed, .flaky])
        for bad in ["", "failed,", "FAILED", "failed;flaky", "pending"] {
            XCTAssertThrowsError(try ReadParameter.caseStatuses(bad), bad)
        }
        XCTAssertEqual(try ReadParameter.runStatus("incomplete"), .incomplete)
        XCTAssertThrowsError(try ReadParameter.runStatus("done"))
    }

    func testContainsPatternMatchesWildcardsLiterally() {
        XCTAssertEqual(ReadParameter.containsPattern("100%"), "%100\\%%")
        XCTAssertEqual(ReadParameter.containsPattern("snake_case"), "%snake\\_case%")
        XCTAssertEqual(ReadParameter.containsPattern("a\\b"), "%a\\\\b%")
    }

    func testUUIDsAreLowercased() throws {
        XCTAssertEqual(try ReadParameter.uuid("0B6F7F2E-8C1E-4D4E-9A8E-1C2D3E4F5A6B", field: "id"), "0b6f7f2e-8c1e-4d4e-9a8e-1c2d3e4f5a6b")
        XCTAssertThrowsError(try ReadParameter.uuid("0b6f7f2e8c1e4d4e9a8e1c2d3e4f5a6b", field: "id"))
    }
}
