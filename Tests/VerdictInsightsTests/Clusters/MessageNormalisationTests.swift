import VerdictInsights
import XCTest

/// One test per masking rule: what varies between runs of one failure becomes a placeholder,
/// what tells failures apart stays.
final class MessageNormalisationTests: XCTestCase {
    private func template(_ message: String) -> String {
        FailureFingerprint(errorType: nil, message: message, stack: nil).template
    }

    func testNumbersAndDecimals() {
        XCTAssertEqual(template("expected 3.14 but got 42"), "expected <num> but got <num>")
        XCTAssertEqual(template("Expected 10 but was 9"), "Expected <num> but was <num>")
        XCTAssertEqual(template("HikariPool-1 - Connection is not available"), "HikariPool-<num> - Connection is not available")
        XCTAssertEqual(template("worker_12 crashed"), "worker_<num> crashed")
    }

    func testDigitsInsideWordsStay() {
        XCTAssertEqual(template("utf8 decoding failed in e2e run on v8"), "utf8 decoding failed in e2e run on v8")
    }

    func testNumbersWithUnitsKeepTheUnit() {
        XCTAssertEqual(template("Timeout 1500ms exceeded"), "Timeout <num>ms exceeded")
        XCTAssertEqual(template("took 1.5s, limit 30s"), "took <num>s, limit <num>s")
        XCTAssertEqual(template("Test timeout of 30000ms exceeded."), "Test timeout of <num>ms exceeded.")
    }

    func testCategoricalNumbersStay() {
        XCTAssertEqual(template("request failed with status 503"), "request failed with status 503")
        XCTAssertEqual(template("status code: 404"), "status code: 404")
        XCTAssertEqual(template("request returned 503"), "request returned <num>")
    }

    func testHexShasAndAddresses() {
        XCTAssertEqual(template("pointer 0x7ffd5c3e9a10 freed twice"), "pointer <hex> freed twice")
        XCTAssertEqual(template("commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b missing"), "commit <hex> missing")
        XCTAssertEqual(template("java.lang.Object@1b6d3586 is locked"), "java.lang.Object@<hex> is locked")
        XCTAssertEqual(
            template("[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x4f5d2a]"),
            "[signal SIGSEGV: segmentation violation code=<hex> addr=<hex> pc=<hex>]")
    }

    func testUUIDs() {
        XCTAssertEqual(template("order 3f9a2c1e-77b0-4f7e-9d3c-2a1b0c9d8e7f not found"), "order <uuid> not found")
        XCTAssertEqual(template("ORDER 3F9A2C1E-77B0-4F7E-9D3C-2A1B0C9D8E7F"), "ORDER <uuid>")
    }

    func testTimestampsAndDates() {
        XCTAssertEqual(template("stored at 2024-01-15T10:30:00.123Z"), "stored at <time>")
        XCTAssertEqual(template("stored at 2024-01-15 10:30:00+02:00, expired"), "stored at <time>, expired")
        XCTAssertEqual(template("due 2024-01-15"), "due <time>")
        XCTAssertEqual(template("at 10:30:00.5 the lock was held"), "at <time> the lock was held")
        XCTAssertEqual(template("Date: Mon, 15 Jan 2024 10:30:00 GMT"), "Date: <time>")
        XCTAssertEqual(template("now is Mon Jan 15 2024 10:30:00 GMT+0000 (Coordinated Universal Time)!"), "now is <time>!")
        XCTAssertEqual(template("May 5 items be shown"), "May <num> items be shown")
    }

    func testAbsoluteAndRelativePaths() {
        XCTAssertEqual(template("cannot read /home/runner/work/app/app/src/x.ts:12:5"), "cannot read <path>")
        XCTAssertEqual(template("ENOENT: no such file, open './fixtures/a.json'"), "ENOENT: no such file, open <str>")
        XCTAssertEqual(template("ENOENT: open ./fixtures/a.json"), "ENOENT: open <path>")
        XCTAssertEqual(template("see src/cart/total.ts:12 for details"), "see <path> for details")
        XCTAssertEqual(template("missing C:\\Users\\me\\proj\\Orders.cs"), "missing <path>")
        XCTAssertEqual(template("missing ~/work/out.log."), "missing <path>.")
        XCTAssertEqual(template("ReadAndWrite.spec.ts:5:1 should be able to read and write"), "<path> should be able to read and write")
        XCTAssertEqual(template("/tmp/pytest-of-runner/pytest-12/test_export0 is empty"), "<path> is empty")
    }

    func testTextThatOnlyLooksLikeAPath() {
        XCTAssertEqual(
            template("expect(received).toBe(expected) // Object.is equality"), "expect(received).toBe(expected) // Object.is equality")
        XCTAssertEqual(template("read and/or write text/html"), "read and/or write text/html")
    }

    /// The host stays (which service failed is part of the failure); ports, paths, queries go.
    func testURLsKeepSchemeAndHost() {
        XCTAssertEqual(template("GET http://localhost:6101/api/users/42?x=1 failed"), "GET http://localhost:<num>/<path> failed")
        XCTAssertEqual(template("cannot reach https://API.example.com/."), "cannot reach https://api.example.com/.")
        XCTAssertEqual(template("connect http://127.0.0.1:8080/health"), "connect http://<ip>:<num>/<path>")
    }

    func testQuotedValues() {
        XCTAssertEqual(template("expected 'foo' to equal \"bar\""), "expected <str> to equal <str>")
        XCTAssertEqual(template("Expect $(`#flash`) to have text"), "Expect $(<str>) to have text")
        XCTAssertEqual(template("can't find 'x'"), "can't find <str>")
        XCTAssertEqual(template("it's the user's"), "it's the user's")
        XCTAssertEqual(
            template("Cannot invoke \"java.util.Map.get(Object)\" because \"this.rates\" is null"),
            "Cannot invoke <str> because <str> is null")
    }

    func testJUnitAngleValues() {
        XCTAssertEqual(template("expected: <1> but was: <0>"), "expected: <val> but was: <val>")
        XCTAssertEqual(template("expected:<[foo]> but was:<[bar]>"), "expected:<val> but was:<val>")
    }

    func testLineNumbers() {
        XCTAssertEqual(template("error at line 42, column 7"), "error at line <num>, column <num>")
        XCTAssertEqual(
            template("in tests/Runner/Runner.multiple-fails.phpt(78) Tester\\Assert::match()"), "in <path> Tester\\Assert::match()")
    }

    func testRandomIds() {
        XCTAssertEqual(template("session 7Hq2xP9zK3mN expired"), "session <id> expired")
        XCTAssertEqual(template("token abcXYZ123def456ghi rejected"), "token <id> rejected")
    }

    func testANSIColoursAreRemoved() {
        let coloured =
            "\u{1b}[2mexpect(\u{1b}[22m\u{1b}[31mreceived\u{1b}[39m\u{1b}[2m).\u{1b}[22mtoBe\u{1b}[2m(\u{1b}[22m\u{1b}[32mexpected\u{1b}[39m\u{1b}[2m)\u{1b}[22m"
        XCTAssertEqual(template(coloured), "expect(received).toBe(expected)")
        XCTAssertEqual(template("[31mExpected[39m: 4"), "Expected: <num>", "an SGR code whose ESC was lost")
        XCTAssertEqual(template("\u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7} broken"), "link broken", "OSC hyperlinks")
        XCTAssertEqual(
            FailureFingerprint(errorType: nil, message: coloured, stack: nil).id,
            FailureFingerprint(errorType: nil, message: "expect(received).toBe(expected)", stack: nil).id)
    }

    func testWhitespaceAndCarriageReturnsCollapse() {
        XCTAssertEqual(template("  a \t  b\r\n"), "a b")
    }

    func testTemplatesAreBoundedAndValidUTF8() {
        let long = String(repeating: "ünïcödé wörds ", count: 500)
        let result = template(long)
        XCTAssertLessThanOrEqual(result.utf8.count, FingerprintLimits.templateLineBytes)
        XCTAssertFalse(result.unicodeScalars.contains("\u{FFFD}"))
    }
}
