import VerdictDB
import XCTest

/// `PostgresConnection.withRawResult` must read every value as `query` (and its `Row`) does:
/// the export reads cases through the first and the read API through the second.
final class RawRowsEndToEndTests: XCTestCase {
    static let sql = """
        SELECT * FROM (VALUES
            ('0190f0b2-7c1e-7a3b-8c4d-5e6f708192a3'::uuid, 'plain', 42, '-9223372036854775808'::bigint, 1.5::float8,
                ARRAY['a', 'b c', 'quo"te', 'back\\slash', '', 'NULL', 'ünï ✓', '{x,y}']::text[], NULL::text),
            (NULL, 'ünïcødé ✓ and a longer string than fits inline', -7, 9223372036854775807, 'NaN'::float8,
                ARRAY['only'], 'x'),
            (NULL, '', 0, 0, '-Infinity'::float8, ARRAY[]::text[], NULL),
            (NULL, 'nulls', NULL, NULL, 0.1::float8 + 0.2::float8, ARRAY['a', NULL, 'b', NULL]::text[], NULL),
            (NULL, 'last', 1, 1, 1e300::float8, NULL, NULL)
        ) AS t(id, name, small, big, real, items, other)
        """

    func testRawRowsDecodeLikeRows() throws {
        let db = try PostgresConnection(url: requireDatabaseURL())
        let rows = try db.query(Self.sql).rows
        try db.withRawResult(Self.sql) { result in
            XCTAssertEqual(result.rowCount, rows.count)
            let id = result.column("id")
            let name = result.column("name")
            let small = result.column("small")
            let big = result.column("big")
            let real = result.column("real")
            let items = result.column("items")
            let other = result.column("other")
            for (index, expected) in rows.enumerated() {
                let row = result.row(index)
                XCTAssertEqual(row.string(id), expected["id"])
                XCTAssertEqual(row.uuid(id), expected["id"].flatMap { UUIDKey($0) })
                XCTAssertEqual(row.string(name), expected["name"])
                XCTAssertEqual(row.int(small), expected.int("small"))
                XCTAssertEqual(row.int64(big), expected.int64("big"))
                let realValue = try XCTUnwrap(row.double(real))
                let expectedReal = try XCTUnwrap(expected.double("real"))
                XCTAssertTrue(realValue == expectedReal || (realValue.isNaN && expectedReal.isNaN), "\(realValue) \(expectedReal)")
                XCTAssertEqual(row.textArray(items), expected.textArray("items"), "row \(index)")
                XCTAssertEqual(row.isNull(other), expected["other"] == nil)
                XCTAssertEqual(row.string(other), expected["other"])
            }
        }
        XCTAssertEqual(rows[0].textArray("items"), ["a", "b c", "quo\"te", "back\\slash", "", "NULL", "ünï ✓", "{x,y}"])
    }

    /// The export's case cursor is read in binary format: every accessor must read there what
    /// it reads in text.
    func testBinaryBatchesDecodeLikeTextRows() throws {
        let db = try PostgresConnection(url: requireDatabaseURL())
        let sql = """
            SELECT t.*, 3::int2 AS tiny, 2.5::float4 AS single,
                '2026-11-21T10:00:00.125Z'::timestamptz + (t.small * interval '1 day') AS at
            FROM (\(Self.sql)) t
            """
        let rows = try db.query(sql).rows
        var seen = 0
        try db.transaction {
            try db.query("DECLARE raw_rows_test NO SCROLL CURSOR FOR \(sql)")
            try db.forEachBatch(cursor: "raw_rows_test", batchSize: 2, binary: true) { result in
                for index in 0..<result.rowCount {
                    let row = result.row(index)
                    let expected = rows[seen]
                    seen += 1
                    XCTAssertEqual(row.uuid(result.column("id")), expected["id"].flatMap { UUIDKey($0) })
                    XCTAssertEqual(row.string(result.column("name")), expected["name"])
                    XCTAssertEqual(row.int(result.column("small")), expected.int("small"))
                    XCTAssertEqual(row.int64(result.column("big")), expected.int64("big"))
                    XCTAssertEqual(row.int(result.column("tiny")), 3)
                    XCTAssertEqual(row.double(result.column("single")), 2.5)
                    let real = try XCTUnwrap(row.double(result.column("real")))
                    let expectedReal = try XCTUnwrap(expected.double("real"))
                    XCTAssertTrue(real == expectedReal || (real.isNaN && expectedReal.isNaN), "\(real) \(expectedReal)")
                    let items = row.textArray(result.column("items"))
                    if expected["name"] == "nulls" {
                        XCTAssertEqual(items, ["a", "b"], "NULL elements are left out")
                    } else {
                        XCTAssertEqual(items, expected.textArray("items"))
                    }
                    XCTAssertEqual(row.string(result.column("other")), expected["other"])
                    let at = row.timestampMilliseconds(result.column("at"))
                    XCTAssertEqual(at, expected.int("small").map { 1_795_255_200_125 + Int64($0) * 86_400_000 })
                }
            }
        }
        XCTAssertEqual(seen, rows.count)
    }

    /// Two cursors read side by side in one pipeline: batches arrive for the cursor that asks,
    /// and a statement failing mid-read throws, leaving the connection usable.
    func testBatchedCursorsTakeTurnsAndSurviveAFailingFetch() throws {
        let db = try PostgresConnection(url: requireDatabaseURL())
        var evens: [Int] = []
        var odds: [Int] = []
        try db.transaction {
            try db.query("DECLARE evens NO SCROLL CURSOR FOR SELECT n FROM generate_series(0, 998, 2) n")
            try db.query("DECLARE odds NO SCROLL CURSOR FOR SELECT n FROM generate_series(1, 999, 2) n")
            let cursors = BatchedCursors(db: db, binary: true)
            defer { cursors.close() }
            let even = cursors.add(cursor: "evens", batchSize: 64, firstBatchSize: 5)
            let odd = cursors.add(cursor: "odds", batchSize: 100)
            var evenDone = false
            var oddDone = false
            while !evenDone || !oddDone {
                if !evenDone {
                    if let batch = try cursors.next(even) {
                        for i in 0..<batch.rowCount { evens.append(batch.row(i).int(0) ?? -1) }
                    } else {
                        evenDone = true
                    }
                }
                if !oddDone {
                    if let batch = try cursors.next(odd) {
                        for i in 0..<batch.rowCount { odds.append(batch.row(i).int(0) ?? -1) }
                    } else {
                        oddDone = true
                    }
                }
            }
        }
        XCTAssertEqual(evens, Array(stride(from: 0, through: 998, by: 2)))
        XCTAssertEqual(odds, Array(stride(from: 1, through: 999, by: 2)))

        XCTAssertThrowsError(
            try db.transaction {
                try db.query("DECLARE failing NO SCROLL CURSOR FOR SELECT 1 / (n - 150) FROM generate_series(1, 300) n")
                try db.forEachBatch(cursor: "failing", batchSize: 50, binary: true) { _ in }
            }
        ) { XCTAssertTrue("\($0)".contains("division by zero"), "\($0)") }
        XCTAssertEqual(try db.query("SELECT 42 AS answer").first?.int("answer"), 42, "the connection is usable afterwards")
    }

    /// Odd literals (never printed by PostgreSQL, but legal input to both parsers) still read
    /// as `Row.textArray` reads them.
    func testArrayLiteralsParseLikeRows() throws {
        let db = try PostgresConnection(url: requireDatabaseURL())
        let literals = [
            "{}", "{\"\"}", "{a}", "{a,b}", "{NULL}", "{a,NULL}", "{NULL,a}", "{\"NULL\",NULL,b}", "{a,,b}", "{a,}", "{,}",
            "{\"a\"b,c}", "{a\"b\"c,d}", "{\"a\\\"b\",c}", "{\"x,y\",\"{z}\"}", "{ü,✓✓}", "{", "", "x", "{\"unterminated}",
        ]
        for literal in literals {
            let expected = try XCTUnwrap(try db.query("SELECT $1::text AS literal", [literal]).first).textArray("literal")
            var copy = literal
            let actual = copy.withUTF8 { PostgresText.array($0) }
            XCTAssertEqual(actual, expected, literal)
        }
    }

    func testRawResultErrorsCarryTheSQLState() throws {
        let db = try PostgresConnection(url: requireDatabaseURL())
        do {
            try db.withRawResult("SELECT 'not a uuid'::uuid") { _ in }
            XCTFail("no error")
        } catch {
            XCTAssertEqual((error as? DatabaseError)?.isInvalidText, true, "\(error)")
        }
        // The connection is still usable.
        XCTAssertEqual(try db.withRawResult("SELECT 1 AS one") { $0.row(0).int($0.column("one")) }, 1)
    }

    func testUUIDKeysAreCaseInsensitiveAndRefuseNonHex() {
        XCTAssertEqual(UUIDKey("0190F0B2-7C1E-7A3B-8C4D-5E6F708192A3"), UUIDKey("0190f0b2-7c1e-7a3b-8c4d-5e6f708192a3"))
        XCTAssertNotEqual(UUIDKey("0190f0b2-7c1e-7a3b-8c4d-5e6f708192a3"), UUIDKey("0190f0b2-7c1e-7a3b-8c4d-5e6f708192a4"))
        XCTAssertNil(UUIDKey("0190f0b2-7c1e-7a3b-8c4d-5e6f708192ag"))
        XCTAssertNil(UUIDKey("0190f0b2"))
    }
}
