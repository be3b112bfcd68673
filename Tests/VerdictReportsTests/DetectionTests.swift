import VerdictReports
import XCTest

final class DetectionTests: XCTestCase {
    private func detect(_ text: String) throws -> ReportFormat { try ReportFormat.detect(Array(text.utf8)) }

    func testEachFormatIsRecognized() throws {
        XCTAssertEqual(try detect("<?xml version=\"1.0\"?>\n<!-- generated --><testsuites/>"), .junit)
        XCTAssertEqual(try detect("<testsuite name=\"x\"/>"), .junit)
        XCTAssertEqual(try detect("\u{FEFF}<testsuites/>"), .junit)
        XCTAssertEqual(try ReportFormat.detect(utf16LE("<testsuites/>")), .junit)
        XCTAssertEqual(try detect(#"{"config": {}, "suites": [], "errors": []}"#), .playwright)
        XCTAssertEqual(try detect(#"{"stats": {}, "results": []}"#), .mochawesome)
        XCTAssertEqual(try detect(#"{"stats": {}, "suites": {}}"#), .mochawesome)
        XCTAssertEqual(try detect(#"{"numTotalTests": 0, "testResults": []}"#), .jest)
        XCTAssertEqual(try detect(#"{"results": {"tool": {"name": "x"}, "tests": []}}"#), .ctrf)
        XCTAssertEqual(try detect("\u{FEFF}  {\"reportFormat\": \"CTRF\", \"results\": {\"tests\": []}}"), .ctrf)
    }

    func testWrongKindOfDocumentIsNotAReport() {
        for text in ["[]", "{}", #"{"settings": {}, "tests": []}"#, "<html/>", "42"] {
            do {
                let format = try detect(text)
                XCTFail("\(text) detected as \(format)")
            } catch {
                let expected: ReportParseError.Code = text == "42" ? .parseError : .notAReport
                XCTAssertEqual((error as? ReportParseError)?.code, expected, text)
            }
        }
    }

    func testMalformedInputIsAParseErrorWithPosition() {
        let broken = parseError("{\n  \"results\": {\"tests\": [1, 2,]}\n}")
        XCTAssertEqual(broken?.code, .parseError)
        XCTAssertEqual(broken?.line, 2)
        XCTAssertNotNil(broken?.column)
        XCTAssertEqual(parseError("").map(\.code), .parseError)
        XCTAssertEqual(parseError("  \n ").map(\.code), .parseError)
        XCTAssertEqual(parseError("this is not an xml file").map(\.code), .parseError)
    }

    func testExplicitFormatOverridesDetection() throws {
        let jest = #"{"testResults": [{"name": "a.test.js", "assertionResults": [{"title": "t", "status": "passed"}]}]}"#
        XCTAssertEqual(try parse(jest, format: .jest).totals.passed, 1)
        XCTAssertEqual(parseError(jest, format: .playwright)?.code, .notAReport)
        XCTAssertEqual(parseError(jest, format: .junit)?.code, .parseError)
        XCTAssertEqual(parseError("<testsuites/>", format: .ctrf)?.code, .parseError)
    }

    func testFormatNames() throws {
        XCTAssertEqual(try ReportFormat.named("JUnit"), .junit)
        XCTAssertEqual(try ReportFormat.named("cypress"), .mochawesome)
        XCTAssertEqual(try ReportFormat.named("detox"), .jest)
        XCTAssertEqual(try ReportFormat.named("playwright-json"), .playwright)
        do {
            _ = try ReportParser.parse(Array("<testsuites/>".utf8), formatName: "allure")
            XCTFail("allure is not supported")
        } catch {
            XCTAssertEqual(error.code, .unsupportedFormat)
            XCTAssertTrue(error.message.contains("allure"))
        }
    }
}
