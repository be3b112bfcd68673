import Foundation
import VerdictCore
import VerdictDB
import VerdictReports
import XCTest

/// Migrations that rewrite stored data, run on a database of their own made at the version
/// before them.
final class MigrationEndToEndTests: XCTestCase {
    /// A database of its own for one test, dropped after it.
    private func scratchDatabase() throws -> String {
        let admin = try PostgresConnection(url: requireDatabaseURL())
        let name = "verdict_migration_\(UInt32.random(in: 0...UInt32.max))"
        try admin.query("CREATE DATABASE \(name)")
        addTeardownBlock { _ = try? admin.query("DROP DATABASE \(name) WITH (FORCE)") }
        var components = try XCTUnwrap(URLComponents(string: requireDatabaseURL()))
        components.path = "/" + name
        return try XCTUnwrap(components.string)
    }

    /// Readiness compares the database with every migration the build has, those that live in
    /// VerdictCore included.
    func testReadyWaitsForTheBuildsLastMigration() async throws {
        let url = try scratchDatabase()
        let db = try PostgresConnection(url: url)
        let last = try XCTUnwrap(Schema.migrations.last?.version)
        try Migrator(connection: db, migrations: Schema.migrations.filter { $0.version < last }).migrate()
        let emulator = try EmulatorProcess(
            template: "infra-templates/template.yaml", parameters: ["DatabaseUrl": url], arguments: ["--no-startup", "--no-schedules"])
        defer { emulator.stop() }

        let behind = try await HTTPClient.send("GET", "\(emulator.baseURL)/ready")
        XCTAssertEqual(behind.status, 503, behind.text)
        XCTAssertTrue(behind.text.contains("at version \(last - 1), this build needs \(last)"), behind.text)
        try Migrator(connection: db, migrations: Schema.migrations).migrate()
        let ready = try await HTTPClient.send("GET", "\(emulator.baseURL)/ready")
        XCTAssertEqual(ready.status, 200, ready.text)
        XCTAssertEqual(try ready.json()["schema_version"] as? Int, last)
    }

    func testMigration8GivesStoredTestIDsTheirScopesPrefix() throws {
        let url = try scratchDatabase()
        let db = try PostgresConnection(url: url)
        try Migrator(connection: db, migrations: Schema.migrations.filter { $0.version < 8 }).migrate()

        // Test ids as ingest derived them before: the whole name's hash. The first two rows are
        // one test spelled two ways; the fourth needs Unicode trimming and has no file.
        let tests: [(file: String?, path: [String], title: String, project: String?)] = [
            ("tests/a.py", ["S", "C"], "one", nil),
            ("./tests\\a.py", ["S ", "C"], " one", nil),
            ("tests/a.py", ["S", "C"], "two", "chromium"),
            (nil, ["\u{2003}Suite\u{00A0}"], "x\u{301}", nil),
            ("tests/b.py", [], "three", nil),
        ]
        var fixture = ReadFixture()
        let run = fixture.run(.init())
        let report = fixture.report(run: run)
        for (ordinal, test) in tests.enumerated() {
            let key = TestIdentity.key(file: test.file, suitePath: test.path, title: test.title, project: test.project)
            fixture.testCase(
                run: run, report: report,
                .init(
                    testID: Identifier.derived(from: "\(fixture.projectID)|\(key)"), ordinal: ordinal, title: test.title,
                    suitePath: test.path, file: test.file, project: test.project))
        }
        try fixture.insert(database: url)

        let applied = try Migrator(connection: db, migrations: Schema.migrations.filter { $0.version <= 8 }).migrate()
        XCTAssertEqual(applied.map(\.version), [8])
        let stored = try db.query("SELECT test_id FROM cases WHERE run_id = $1 ORDER BY ordinal", [run]).rows.map { $0.string("test_id") }
        let expected = tests.map {
            Identifier.testKey(projectID: fixture.projectID, file: $0.file, suitePath: $0.path, title: $0.title, project: $0.project).text
        }
        XCTAssertEqual(stored, expected, "stored ids are what ingest now derives")
        XCTAssertEqual(stored[0], stored[1], "still one test")
        XCTAssertEqual(Set(stored).count, 4)
        XCTAssertEqual(stored[0].prefix(13), stored[2].prefix(13), "one scope, one prefix")

        // Applying it again changes nothing: the migration is recorded.
        XCTAssertEqual(try Migrator(connection: db, migrations: Schema.migrations.filter { $0.version <= 8 }).migrate().count, 0)
    }

    func testMigration9DerivesTestHistorySpansFromStoredCases() throws {
        let url = try scratchDatabase()
        let db = try PostgresConnection(url: url)
        try Migrator(connection: db, migrations: Schema.migrations.filter { $0.version < 9 }).migrate()

        // Scopes A and B interleaved: A's stretch of two, then single cases.
        let a = "aaaaaaaa-aaaa-8000-8000-00000000000", b = "bbbbbbbb-bbbb-8000-8000-00000000000"
        let tests = [a + "1", a + "2", b + "1", a + "3", b + "2"]
        var fixture = ReadFixture()
        let start = UInt64(Date().timeIntervalSince1970 * 1000)
        var reports: [String] = []
        var runs: [String] = []
        for index in 0..<2 {
            let run = fixture.run(.init(ciRunID: "m\(index)"))
            let report = fixture.report(run: run, .init(id: ReadFixture.uuid7(milliseconds: start + UInt64(index) * 1000)))
            for (ordinal, testID) in tests.enumerated() {
                fixture.testCase(run: run, report: report, .init(testID: testID, ordinal: ordinal, title: "t\(ordinal)"))
            }
            runs.append(run)
            reports.append(report)
        }
        try fixture.insert(database: url)

        XCTAssertEqual(try Migrator(connection: db, migrations: Schema.migrations.filter { $0.version <= 9 }).migrate().map(\.version), [9])
        let spans = try db.query(
            "SELECT first_ordinal, last_ordinal, to_hex(scope) AS scope FROM test_scope_spans WHERE report_id = $1 ORDER BY first_ordinal",
            [reports[1]]
        ).rows.map { "\($0.string("first_ordinal"))-\($0.string("last_ordinal")) \($0.string("scope"))" }
        XCTAssertEqual(spans, ["0-1 aaaaaaaaaaaa", "2-2 bbbbbbbbbbbb", "3-3 aaaaaaaaaaaa", "4-4 bbbbbbbbbbbb"])
        XCTAssertEqual(try db.query("SELECT count(*) AS n FROM test_scope_spans").first?.int("n"), 8)
        XCTAssertNil(try db.query("SELECT to_regclass('cases_test_history') AS i").first?["i"], "the per-case index is gone")

        // Reads check project visibility, which the later migrations add.
        try Migrator(connection: db, migrations: Schema.migrations).migrate()
        let history = try TestHistory(db: db).history(try XCTUnwrap(TestID(a + "3")), as: .anonymous, limit: 10, after: nil)
        XCTAssertEqual(history.results.items.map(\.runID.text), runs.reversed())
        XCTAssertEqual(
            history.results.items.map(\.caseID.text), reports.reversed().map { Identifier.caseKey(report: UUIDKey($0)!, ordinal: 3).text })
        XCTAssertEqual(history.test.title, "t3")
    }
}
