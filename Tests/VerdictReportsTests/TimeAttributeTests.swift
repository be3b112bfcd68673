import VerdictReports
import XCTest

/// `time` attributes take a fast path for plain decimals; it must agree with the full one.
final class TimeAttributeTests: XCTestCase {
    func testPlainDecimalsReadExactlyAsStrtodDoes() throws {
        var generator = SystemRandomNumberGenerator()
        var values = [
            "0", "0.0", "1", "0.001", "0.1", "0.3", "2.675", "123456789012345", "1234567.89012345", "999999999999999",
            "0.000000000000001", "5.", ".5", "1e3", "1234567890123456", "00012.50",
        ]
        for _ in 0..<2000 {
            let whole = UInt64.random(in: 0..<100_000, using: &generator)
            let fraction = String(UInt64.random(in: 0..<1_000_000_000, using: &generator)).prefix(Int.random(in: 1...9, using: &generator))
            values.append("\(whole).\(fraction)")
        }
        let xml = "<testsuite>" + values.map { "<testcase name=\"t\" time=\"\($0)\"/>" }.joined() + "</testsuite>"
        let report = try parse(xml)
        XCTAssertEqual(report.cases.count, values.count)
        for (value, testCase) in zip(values, report.cases) {
            XCTAssertEqual(testCase.durationMs, try XCTUnwrap(Double(value)) * 1000, value)
        }
    }
}
