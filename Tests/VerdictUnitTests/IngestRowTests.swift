import VerdictCore
import VerdictDB
import XCTest

/// The pieces the ingest builds its COPY rows from.
final class IngestRowTests: XCTestCase {
    func testCopyRowsEscapeWhatCopyTextFormatRequires() {
        var rows = CopyRows()
        rows.text("plain")
        rows.text("tab\there\nnew line\r\\back\u{0}nul")
        rows.null()
        rows.text(nil)
        rows.int(42)
        rows.double(1.5)
        rows.double(.nan)
        rows.endRow()
        rows.textArray(["a b", "quo\"te", "back\\slash", "multi\nline"])
        rows.endRow()
        let text = String(decoding: rows.bytes, as: UTF8.self)
        XCTAssertEqual(
            text,
            "plain\ttab\\there\\nnew line\\r\\\\backnul\t\\N\t\\N\t42\t1.5\t\\N\n"
                + "{\"a b\",\"quo\\\\\"te\",\"back\\\\\\\\slash\",\"multi\\nline\"}\n")
        XCTAssertEqual(rows.rowCount, 2)
    }

    func testLongValuesWithoutEscapesAreCopiedWhole() {
        let long = String(repeating: "at com.example.Service.call(Service.java:42) ", count: 200)
        var rows = CopyRows()
        rows.text(long + "\n" + long)
        rows.endRow()
        XCTAssertEqual(String(decoding: rows.bytes, as: UTF8.self), long + "\\n" + long + "\n")
    }

    func testTimeOrderedIdentifiersAreVersion7AndSortByCreation() throws {
        let first = Identifier.timeOrdered()
        usleep(2000)
        let second = Identifier.timeOrdered()
        for id in [first, second] {
            XCTAssertTrue(UUIDText.isValid(id), id)
            XCTAssertEqual(Array(id)[14], "7", "version nibble of \(id)")
            XCTAssertTrue("89ab".contains(Array(id)[19]), "variant of \(id)")
        }
        XCTAssertLessThan(first, second, "a later id sorts after an earlier one")
        XCTAssertEqual(Set((0..<10_000).map { _ in Identifier.timeOrdered() }).count, 10_000)
    }

    func testDerivedIdentifiersAreStableAndDistinct() {
        let a = Identifier.derived(from: "project|v1|f5:a.ts|s0|t4:test|p0:")
        XCTAssertEqual(a, Identifier.derived(from: "project|v1|f5:a.ts|s0|t4:test|p0:"))
        XCTAssertNotEqual(a, Identifier.derived(from: "project|v1|f5:b.ts|s0|t4:test|p0:"))
        XCTAssertTrue(UUIDText.isValid(a))
        XCTAssertEqual(Array(a)[14], "8")
    }

    func testEpochMillisecondsFormatAsRFC3339() {
        XCTAssertEqual(EpochMilliseconds.rfc3339(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(EpochMilliseconds.rfc3339(1_795_255_200_125), "2026-11-21T10:00:00.125Z")
        XCTAssertEqual(EpochMilliseconds.rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z")
        XCTAssertEqual(EpochMilliseconds.rfc3339(-1), "1969-12-31T23:59:59.999Z")
    }

    func testRunIdentityNormalizesAndNamesBadFields() throws {
        let identity = try RunIdentity(
            project: " shop ", commit: "ABCDEF1", branch: "main", ciRunID: "9", ciRunAttempt: nil, name: nil)
        XCTAssertEqual(identity.project, "shop")
        XCTAssertEqual(identity.commit, "abcdef1")
        XCTAssertEqual(identity.ciRunAttempt, 1)
        XCTAssertThrowsError(try RunIdentity(project: nil, commit: nil, branch: nil, ciRunID: nil, ciRunAttempt: nil, name: nil)) {
            XCTAssertEqual($0 as? ServiceError, .invalid(field: "project", reason: "is required"))
        }
        XCTAssertThrowsError(try RunIdentity(project: "p", commit: "xyz", branch: nil, ciRunID: nil, ciRunAttempt: nil, name: nil))
        XCTAssertThrowsError(try RunIdentity(project: "p", commit: nil, branch: nil, ciRunID: nil, ciRunAttempt: "0", name: nil))
    }
}
