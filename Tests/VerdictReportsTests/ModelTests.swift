import Foundation
import VerdictReports
import XCTest

final class IdentityTests: XCTestCase {
    func testSameUTF8IsByteEqualityNotCanonicalEquivalence() {
        let composed = "Caf\u{E9}"
        let decomposed = "Cafe\u{301}"
        XCTAssertEqual(composed, decomposed, "Swift calls them equal")
        XCTAssertFalse(composed.hasSameUTF8(as: decomposed))
        XCTAssertTrue(composed.hasSameUTF8(as: composed))
        // Equal bytes in separate storage, long enough not to be stored inline.
        let long = String(repeating: "com.example.billing.", count: 4)
        XCTAssertTrue(long.hasSameUTF8(as: String(decoding: Array(long.utf8), as: UTF8.self)))
        XCTAssertFalse(long.hasSameUTF8(as: long + "x"))
        XCTAssertTrue("".hasSameUTF8(as: ""))
        let path = ["S", composed]
        XCTAssertTrue(path.hasSameUTF8(as: path))
        XCTAssertTrue(path.hasSameUTF8(as: ["S", "Caf\u{E9}"]))
        XCTAssertFalse(path.hasSameUTF8(as: ["S", decomposed]))
        XCTAssertFalse(path.hasSameUTF8(as: ["S"]))
    }

    func testKeyIsStableAndNormalized() {
        let a = TestIdentity.key(file: "./tests\\login.spec.ts", suitePath: ["Login "], title: " signs in", project: "chromium")
        let b = TestIdentity.key(file: "tests/login.spec.ts", suitePath: ["Login"], title: "signs in", project: "chromium")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(b, TestIdentity.key(file: "tests/login.spec.ts", suitePath: ["Login"], title: "signs in", project: "firefox"))
        XCTAssertNotEqual(b, TestIdentity.key(file: "tests/login.spec.ts", suitePath: ["Login"], title: "signs in", project: nil))
    }

    func testKeyTextIsPinned() {
        // Stored test ids hash this text: it must not change.
        XCTAssertEqual(
            TestIdentity.key(file: "./tests\\login.spec.ts", suitePath: ["Login ", "x"], title: " signs in", project: "chromium"),
            "v1|f19:tests/login.spec.ts|s2|5:Login|1:x|t8:signs in|p8:chromium")
        // Unicode whitespace is trimmed by Character, a combining mark stays with its letter.
        XCTAssertEqual(
            TestIdentity.key(file: nil, suitePath: ["\u{00A0}Café\u{2003}"], title: "\u{2003}x\u{301}", project: nil),
            "v1|f0:|s1|5:Café|t3:x\u{301}|p0:")
        XCTAssertEqual(TestIdentity.key(file: "", suitePath: [], title: "", project: " "), "v1|f0:|s0|t0:|p0:")
    }

    func testPartsCannotCollide() {
        let one = TestIdentity.key(file: nil, suitePath: ["a|b"], title: "c", project: nil)
        let two = TestIdentity.key(file: nil, suitePath: ["a"], title: "b|c", project: nil)
        let three = TestIdentity.key(file: nil, suitePath: ["a", "b"], title: "c", project: nil)
        XCTAssertEqual(Set([one, two, three]).count, 3)
    }

    func testParsedCasesExposeTheirIdentity() throws {
        let xml = "<testsuite name=\"S\"><testcase classname=\"pkg.C\" name=\"t\" file=\"t.py\"/></testsuite>"
        let first = try parse(xml).cases[0]
        let second = try parse(xml.replacingOccurrences(of: "/>", with: " time=\"9\"/>")).cases[0]
        XCTAssertEqual(first.identity, second.identity, "duration does not change the identity")
        XCTAssertEqual(first.identity, TestIdentity.key(file: "t.py", suitePath: ["S", "pkg.C"], title: "t", project: nil))
    }
}

final class ModelTests: XCTestCase {
    func testTotalsCountFlakyAsPassed() {
        let cases = [TestStatus.passed, .flaky, .failed, .skipped, .errored, .flaky].map {
            ParsedCase(suitePath: [], title: "t", status: $0, rawStatus: $0.rawValue)
        }
        XCTAssertEqual(ReportTotals(cases), ReportTotals(tests: 6, passed: 3, failed: 1, skipped: 1, errors: 1, flaky: 2))
    }

    /// Timestamps as JUnit writers spell them; a missing zone means UTC.
    func testSuiteTimestampsAsReportsWriteThem() throws {
        let expectations: [(String, Int64?)] = [
            ("2024-01-03T12:27:44Z", 1_704_284_864_000),
            ("2024-01-03T12:27:44", 1_704_284_864_000),
            ("2024-01-03 12:27:44Z", 1_704_284_864_000),
            ("2024-01-03T 12:27:44", 1_704_284_864_000),
            ("2024-01-03T12:27:44.5+01:00", 1_704_281_264_500),
            ("2024-01-03T12:27:44.21-01:00", 1_704_288_464_210),
            ("2025-01-14T20:33:43.564504+0100", 1_736_883_223_564),
            ("2021-03-07T10:36:56 UTC", 1_615_113_416_000),
            ("2024-01-03", 1_704_240_000_000),
            ("Sat, 03 Dec 2022 23:10:07 GMT", 1_670_109_007_000),
            ("1970-01-01T00:00:00", 0),
            ("yesterday", nil),
            ("2024-13-01T00:00:00", nil),
        ]
        let suites = expectations.map { "<testsuite name=\"s\" timestamp=\"\($0.0)\"/>" }.joined()
        let report = try parse("<testsuites>\(suites)</testsuites>")
        XCTAssertEqual(report.suites.map(\.startedAtMs), expectations.map(\.1))
        XCTAssertEqual(report.suites.map(\.timestamp), expectations.map(\.0), "the original text is kept")
    }
}
