import HTTPContract
import VerdictCore
import VerdictDB
import XCTest

/// The pieces the ingest builds its COPY rows from.
final class IngestRowTests: XCTestCase {
    func testCopyRowsWriteCopyBinaryFields() throws {
        let rows = CopyRows(columns: 8)
        rows.text("tab\there\u{0}nul")
        rows.null()
        rows.text(nil)
        rows.int32(42)
        rows.double(1.5)
        rows.double(.nan)
        rows.uuid(try XCTUnwrap(UUIDKey("00112233-4455-6677-8899-aabbccddeeff")))
        rows.timestamp(epochMilliseconds: 946_684_800_001)
        rows.endRow()
        XCTAssertEqual(
            rows.bytes,
            [0, 8]  // field count
                + [0, 0, 0, 11] + Array("tab\therenul".utf8)  // NUL dropped
                + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF, 0xFF]  // NULLs
                + [0, 0, 0, 4, 0, 0, 0, 42]
                + [0, 0, 0, 8] + [0x3F, 0xF8, 0, 0, 0, 0, 0, 0]
                + [0xFF, 0xFF, 0xFF, 0xFF]  // NaN is stored as NULL
                + [0, 0, 0, 16] + (0..<16).map { UInt8($0 * 0x11) }
                + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xE8])  // 1 ms after 2000-01-01, in microseconds
        XCTAssertEqual(rows.rowCount, 1)
    }

    func testCopyRowsWriteTextArraysInArrayRecvLayout() {
        let rows = CopyRows(columns: 3)
        rows.textArray(["a", "bc"])
        rows.textArray([String]())
        rows.textArray(["x", nil])
        rows.endRow()
        let expected: [UInt8] =
            [0, 3]
            + [0, 0, 0, 31] + [0, 0, 0, 1] + [0, 0, 0, 0] + [0, 0, 0, 25] + [0, 0, 0, 2] + [0, 0, 0, 1]
            + [0, 0, 0, 1] + Array("a".utf8) + [0, 0, 0, 2] + Array("bc".utf8)
            + [0, 0, 0, 12] + [0, 0, 0, 0] + [0, 0, 0, 0] + [0, 0, 0, 25]
            + [0, 0, 0, 29] + [0, 0, 0, 1] + [0, 0, 0, 1] + [0, 0, 0, 25] + [0, 0, 0, 2] + [0, 0, 0, 1]
            + [0, 0, 0, 1] + Array("x".utf8) + [0xFF, 0xFF, 0xFF, 0xFF]
        XCTAssertEqual(rows.bytes, expected)
    }

    func testAnEncodedFieldReplaysAsTheSameBytes() {
        let path = ["S", "Caf\u{E9}", ""]
        let encoded = CopyRows.encodedField { $0.textArray(path) }
        let direct = CopyRows(columns: 2)
        direct.int32(1)
        direct.textArray(path)
        direct.endRow()
        let replayed = CopyRows(columns: 2)
        replayed.int32(1)
        replayed.field(encoded: encoded)
        replayed.endRow()
        XCTAssertEqual(replayed.bytes, direct.bytes)
        // Replayed as a row's first field, it is still preceded by the row's field count.
        let first = CopyRows(columns: 1)
        first.field(encoded: encoded)
        first.endRow()
        XCTAssertEqual(first.bytes, [0, 1] + encoded)
    }

    func testRowsGrowPastTheirFirstBufferIntact() {
        let rows = CopyRows(columns: 2)
        let long = String(repeating: "stack line\n", count: 5_000)
        var expected: [UInt8] = []
        for index in 0..<50 {
            rows.int32(index)
            rows.text(long)
            rows.endRow()
            expected += [0, 2, 0, 0, 0, 4, 0, 0, 0, UInt8(index)]
            expected += [0, 0, 0xD6, 0xD8] + Array(long.utf8)
        }
        XCTAssertEqual(rows.rowCount, 50)
        XCTAssertEqual(rows.count, expected.count)
        XCTAssertEqual(rows.bytes, expected)
        rows.removeAll()
        XCTAssertTrue(rows.isEmpty)
        XCTAssertEqual(rows.bytes, [])
    }

    func testTimestampsOutsideYearsOneToNineThousandNineHundredNinetyNineAreNull() {
        let rows = CopyRows(columns: 2)
        rows.timestamp(epochMilliseconds: 253_402_300_800_000)
        rows.timestamp(epochMilliseconds: -62_135_596_800_001)
        rows.endRow()
        XCTAssertEqual(rows.bytes, [0, 2] + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF, 0xFF])
    }

    func testUUIDKeysPrintCanonically() throws {
        let text = "0190f3a2-7b1c-7d4e-8f00-0123456789ab"
        XCTAssertEqual(try XCTUnwrap(UUIDKey(text)).text, text)
        XCTAssertEqual(try XCTUnwrap(UUIDKey("0190F3A2-7B1C-7D4E-8F00-0123456789AB")).text, text)
    }

    func testCaseIdsAreTheirReportsIdWithTheirPosition() throws {
        let report = try XCTUnwrap(UUIDKey("0190f3a2-7b1c-7d4e-8f00-0123456789ab"))
        let first = Identifier.caseKey(report: report, ordinal: 0)
        let later = Identifier.caseKey(report: report, ordinal: 70_000)
        XCTAssertEqual(first.text, "0190f3a2-7b1c-7d4e-8f00-012300000000")
        XCTAssertEqual(later.text, "0190f3a2-7b1c-7d4e-8f00-012300011170")
        XCTAssertLessThan(first.text, later.text, "a report's cases sort by position")
        let location = Identifier.caseLocation(later)
        XCTAssertEqual(location.reportsFrom.text, "0190f3a2-7b1c-7d4e-8f00-012300000000")
        XCTAssertEqual(location.reportsThrough.text, "0190f3a2-7b1c-7d4e-8f00-0123ffffffff")
        XCTAssertEqual(location.ordinal, 70_000)
        XCTAssertTrue(location.reportsFrom.text <= report.text && report.text <= location.reportsThrough.text)
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
        // The first 16 bytes of the name's SHA-256 with version and variant set: stored test ids
        // depend on this never changing.
        XCTAssertEqual(a, "57645fb0-e9b2-8060-ba43-7e67f3beb181")
        XCTAssertNotEqual(a, Identifier.derived(from: "project|v1|f5:b.ts|s0|t4:test|p0:"))
        XCTAssertTrue(UUIDText.isValid(a))
        XCTAssertEqual(Array(a)[14], "8")
    }

    func testTestKeysShareTheirScopesFirst48Bits() throws {
        func key(_ file: String?, _ path: [String], _ title: String, project: String? = nil) -> String {
            Identifier.testKey(projectID: "p1", file: file, suitePath: path, title: title, project: project).text
        }
        let one = key("tests/a.py", ["S", "C"], "one")
        let two = key("tests/a.py", ["S", "C"], "two")
        XCTAssertEqual(one.prefix(13), two.prefix(13), "one scope, one prefix")
        XCTAssertNotEqual(one, two)
        XCTAssertNotEqual(one.prefix(13), key("tests/b.py", ["S", "C"], "one").prefix(13))
        XCTAssertNotEqual(one.prefix(13), key("tests/a.py", ["S", "D"], "one").prefix(13))
        XCTAssertNotEqual(
            one.prefix(13),
            Identifier.testKey(projectID: "p2", file: "tests/a.py", suitePath: ["S", "C"], title: "one", project: nil).text.prefix(13))
        // The identity's formatting noise changes neither part.
        XCTAssertEqual(one, key("./tests\\a.py", ["S ", "C"], " one"))
        // The other 80 bits are the whole name's hash, as test ids were before migration 8.
        let whole = Identifier.derived(from: "p1|v1|f10:tests/a.py|s2|1:S|1:C|t3:one|p0:")
        XCTAssertEqual(one.dropFirst(14), whole.dropFirst(14))
        XCTAssertEqual(Array(one)[14], "8")
        XCTAssertTrue(UUIDText.isValid(one))
        // Stored test ids depend on this never changing.
        XCTAssertEqual(one, "930e6e7c-dd10-8d3a-828f-a1367d87c483")
        // The database keeps no NUL, so the prefix is the stored spelling's; the test stays its own.
        let withNUL = key("tests/a\u{0}.py", ["S", "C\u{0}"], "one")
        XCTAssertEqual(withNUL.prefix(13), key("tests/a.py", ["S", "C"], "x").prefix(13))
        XCTAssertNotEqual(withNUL, one)
    }

    func testStoredTextIsTheTextWithoutNUL() {
        XCTAssertTrue(CopyRows.storesDifferently("a\u{0}b"))
        XCTAssertFalse(CopyRows.storesDifferently("ab\u{301}"))
        XCTAssertEqual(CopyRows.storedText("\u{0}a\u{0}b\u{0}"), "ab")
        XCTAssertEqual(CopyRows.storedText("Caf\u{E9}"), "Caf\u{E9}")
        // What a text field carries is exactly the stored text's bytes.
        let rows = CopyRows(columns: 1)
        rows.text("x\u{0}y")
        rows.endRow()
        let other = CopyRows(columns: 1)
        other.text(CopyRows.storedText("x\u{0}y"))
        other.endRow()
        XCTAssertEqual(rows.bytes, other.bytes)
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

final class EpochParsingTests: XCTestCase {
    func testTheDatabasesTimesReadBackToTheirMilliseconds() {
        for milliseconds: Int64 in [0, 1_764_999_000_125, 951_782_400_000, -86_400_000, 4_102_444_800_999] {
            let text = EpochMilliseconds.rfc3339(milliseconds)
            XCTAssertEqual(EpochMilliseconds.parse(text), milliseconds, text)
        }
        XCTAssertEqual(EpochMilliseconds.parse("2026-12-06T06:50:11.123456Z"), EpochMilliseconds.parse("2026-12-06T06:50:11.123Z"))
        XCTAssertNil(EpochMilliseconds.parse("2026-12-06 06:50:11"))
        XCTAssertNil(EpochMilliseconds.parse("2026-13-06T06:50:11Z"))
    }
}
