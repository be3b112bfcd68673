import VerdictDB
import XCTest

/// A transaction's BEGIN travels with its first statement and, with `commit(afterPrepared:)`,
/// its COMMIT with its last: what must hold is that the transaction means exactly what a
/// BEGIN … COMMIT sent one by one did.
final class TransactionPipelineTests: XCTestCase {
    var db: PostgresConnection!
    var table = ""

    override func setUpWithError() throws {
        db = try PostgresConnection(url: requireDatabaseURL())
        table = "pipeline_\(UInt32.random(in: 0...UInt32.max))"
        try db.query("CREATE TABLE \(table) (id integer PRIMARY KEY, note text)")
    }

    override func tearDownWithError() throws {
        try db?.query("DROP TABLE IF EXISTS \(table)")
    }

    private func count(on connection: PostgresConnection? = nil) throws -> Int {
        try (connection ?? db).query("SELECT count(*) AS n FROM \(table)").first!.decode("n")
    }

    /// What another session sees: only committed rows.
    private func countElsewhere() throws -> Int { try count(on: try PostgresConnection(url: requireDatabaseURL())) }

    func testTheFirstStatementOpensTheTransactionAndCommitEndsIt() throws {
        try db.transaction {
            try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["1"])
            // Inside one transaction: this session sees the row, another does not yet.
            XCTAssertEqual(try count(), 1)
            XCTAssertEqual(try countElsewhere(), 0)
            XCTAssertEqual(
                try db.query("SELECT count(*) > 0 AS open FROM pg_stat_activity WHERE pid = pg_backend_pid() AND xact_start IS NOT NULL")
                    .first!.decode("open", as: Bool.self), true)
            try db.query("INSERT INTO \(table) (id) VALUES ($1)", ["2"])
        }
        XCTAssertEqual(try countElsewhere(), 2)
    }

    func testAnErrorInTheFirstStatementRollsBackAndLeavesTheConnectionUsable() throws {
        try db.query("INSERT INTO \(table) (id) VALUES (1)")
        XCTAssertThrowsError(
            try db.transaction { try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["1"]) }
        ) { XCTAssertTrue(($0 as? DatabaseError)?.isUniqueViolation ?? false, "\($0)") }
        XCTAssertFalse(db.inTransaction)
        // Not left in an aborted transaction or in pipeline mode.
        try db.transaction { try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["2"]) }
        XCTAssertEqual(try countElsewhere(), 2)
    }

    func testAThrowAfterTheFirstStatementRollsEverythingBack() throws {
        struct Stop: Error {}
        XCTAssertThrowsError(
            try db.transaction {
                try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["1"])
                try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["2"])
                throw Stop()
            })
        XCTAssertEqual(try count(), 0)
    }

    func testCommitAfterTheLastStatementCommitsOnceAndReturnsItsRows() throws {
        let rows = try db.transaction {
            try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["1"])
            let rows = try db.commit(afterPrepared: "INSERT INTO \(table) (id, note) VALUES ($1, $2) RETURNING note", ["2", "two"]).rows
            // Committed already: visible elsewhere before the transaction's closure returns.
            XCTAssertEqual(try countElsewhere(), 2)
            return rows
        }
        XCTAssertEqual(try rows.first?.decode("note", as: String.self), "two")
        XCTAssertEqual(try countElsewhere(), 2)
        XCTAssertFalse(db.inTransaction)
    }

    func testAFailingLastStatementRollsBackTheWholeTransaction() throws {
        try db.query("INSERT INTO \(table) (id) VALUES (9)")
        XCTAssertThrowsError(
            try db.transaction {
                try db.query(prepared: "INSERT INTO \(table) (id) VALUES ($1)", ["1"])
                try db.commit(afterPrepared: "INSERT INTO \(table) (id) VALUES ($1)", ["9"])
            }
        ) { XCTAssertTrue(($0 as? DatabaseError)?.isUniqueViolation ?? false, "\($0)") }
        XCTAssertEqual(try countElsewhere(), 1)
        try db.transaction { try db.commit(afterPrepared: "INSERT INTO \(table) (id) VALUES ($1)", ["3"]) }
        XCTAssertEqual(try countElsewhere(), 2)
    }

    func testABeginAndCommitInOneRoundTripIsOneTransaction() throws {
        // The only statement is also the last: BEGIN, it and COMMIT in one pipeline.
        try db.transaction { try db.commit(afterPrepared: "INSERT INTO \(table) (id) VALUES ($1)", ["1"]) }
        XCTAssertEqual(try countElsewhere(), 1)
    }

    func testAStatementThatCannotBePreparedIsNotRememberedAsPrepared() throws {
        let broken = "SELECT no_such_column FROM \(table) WHERE id = $1"
        for _ in 0..<2 {
            XCTAssertThrowsError(try db.transaction { try db.query(prepared: broken, ["1"]) }) {
                XCTAssertEqual(($0 as? DatabaseError)?.sqlState, "42703", "\($0)")
            }
        }
        try db.query("ALTER TABLE \(table) ADD COLUMN no_such_column integer")
        try db.query("INSERT INTO \(table) (id, no_such_column) VALUES (1, 7)")
        let value: Int = try db.transaction { try db.query(prepared: broken, ["1"]).first!.decode("no_such_column") }
        XCTAssertEqual(value, 7)
    }

    func testAnEmptyTransactionSendsNothingAndCopyStillWorksInside() throws {
        try db.transaction {}
        try db.transaction {
            _ = try db.copy(into: table, columns: ["id", "note"]) { copy in
                try copy.row { row in
                    row.int32(5)
                    row.text("copied")
                }
            }
        }
        XCTAssertEqual(try countElsewhere(), 1)
    }
}
