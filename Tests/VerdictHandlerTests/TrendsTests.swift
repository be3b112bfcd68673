import Foundation
import VerdictAPI
import VerdictDB
import VerdictJSON
import VerdictTestSupport
import XCTest

@testable import VerdictCore

/// `GET /api/v1/projects/{project}/trends` in process: buckets without runs are present,
/// weeks and months, the project by id or name, bounds and errors, tenancy.
final class TrendsTests: XCTestCase {
    let harness = HandlerHarness()

    func trends(_ project: String, _ query: String, key: String?) async -> HandlerHarness.Response {
        let lines = CollectedLines()
        let answer = await harness.call(
            GetProjectTrends(), "/api/v1/projects/\(project)/trends", pathParameters: ["project": project], query: query, key: key,
            log: lines)
        XCTAssertLessThan(answer.status, 500, "\(query): \(lines.all)")
        return answer
    }

    /// Moves a run to `created` (and gives it a wall-clock duration of `seconds`).
    func place(_ run: RunID, at created: String, seconds: Double, _ db: PostgresConnection) throws {
        _ = try db.query(
            """
            UPDATE runs SET created_at = $2::timestamptz, started_at = $2::timestamptz,
                ended_at = $2::timestamptz + make_interval(secs => $3::double precision)
            WHERE id = $1
            """, [run.text, created, String(seconds)])
    }

    struct Fixture {
        let team: (key: String, access: TeamAccess)
        let project: String
        let projectID: String
    }

    /// Runs on 2026-03-02 (a Monday; two of them), 03-04 and 03-20 on main, one on 03-04 on a
    /// feature branch, and a running one that trends leave out.
    func fixture(_ db: PostgresConnection, projectsPublic: Bool = true) throws -> Fixture {
        let team = try TestDatabase.team(db, projectsPublic: projectsPublic)
        let project = "trends-\(UUID().uuidString.prefix(8))"
        let a = try TestDatabase.run(
            [[JUnitCase("a"), JUnitCase("b"), JUnitCase("c", "fail"), JUnitCase("d", "skip")]], project: project, for: team.access, db)
        let b = try TestDatabase.run(
            [[JUnitCase("a"), JUnitCase("b"), JUnitCase("c"), JUnitCase("d", "skip")]], project: project, for: team.access, db)
        let c = try TestDatabase.run([[JUnitCase("a"), JUnitCase("b", "fail")], [JUnitCase("b")]], project: project, for: team.access, db)
        let d = try TestDatabase.run([[JUnitCase("a"), JUnitCase("b")]], project: project, for: team.access, db)
        let feature = try TestDatabase.run([[JUnitCase("a", "error")]], project: project, branch: "topic", for: team.access, db)
        try place(a, at: "2026-03-02T08:00:00Z", seconds: 10, db)
        try place(b, at: "2026-03-02T20:00:00Z", seconds: 30, db)
        try place(c, at: "2026-03-04T12:00:00Z", seconds: 20, db)
        try place(d, at: "2026-03-20T12:00:00Z", seconds: 40, db)
        try place(feature, at: "2026-03-04T13:00:00Z", seconds: 5, db)
        let identity = try RunIdentity(project: project, commit: nil, branch: "main", ciRunID: "open", ciRunAttempt: nil, name: nil)
        let open = try RunService(db: db).begin(identity, for: team.access, expected: 3).run.id
        try place(open, at: "2026-03-02T09:00:00Z", seconds: 1, db)
        let projectID: String = try db.query("SELECT project_id FROM runs WHERE id = $1", [a.text]).first!.decode("project_id")
        return Fixture(team: team, project: project, projectID: projectID)
    }

    func testDaysWithoutRunsArePresentAndEmpty() async throws {
        let db = try TestDatabase.connection()
        let fixture = try fixture(db)
        let answer = await trends(fixture.project, "branch=main&since=2026-03-01T00:00:00Z&until=2026-03-06T00:00:00Z", key: nil)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(answer.json["project"]?["id"]?.stringValue, fixture.projectID)
        XCTAssertEqual(answer.json["bucket"]?.stringValue, "day")
        XCTAssertEqual(answer.json["branch"]?.stringValue, "main")
        let buckets = try XCTUnwrap(answer.json["buckets"]?.arrayValue)
        XCTAssertEqual(
            buckets.map { $0["start"]?.stringValue?.prefix(10) ?? "" },
            ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"])
        XCTAssertEqual(buckets.map { $0["runs"]?.intValue ?? -1 }, [0, 2, 0, 1, 0], "the running run is left out")
        let empty = buckets[0]
        XCTAssertEqual(empty["tests"]?.intValue, 0)
        XCTAssertEqual(empty["pass_rate"], .null)
        XCTAssertEqual(empty["flaky_rate"], .null)
        XCTAssertEqual(empty["duration_p50_ms"], .null)
        XCTAssertTrue(empty["end"]?.stringValue?.hasPrefix("2026-03-02T00:00:00") == true, "\(empty)")
        // 2 March: 8 tests, 2 skipped, 1 failed: 5 of 6 passed; durations 10 s and 30 s.
        let monday = buckets[1]
        XCTAssertEqual(monday["tests"]?.intValue, 8)
        XCTAssertEqual(monday["failures"]?.intValue, 1)
        XCTAssertEqual(monday["failed_runs"]?.intValue, 1)
        XCTAssertEqual(try XCTUnwrap(monday["pass_rate"]?.doubleValue), 5.0 / 6.0, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(monday["duration_p50_ms"]?.doubleValue), 20_000, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(monday["duration_p95_ms"]?.doubleValue), 29_000, accuracy: 1e-6)
        // 4 March: b failed in one shard and passed in the other; the run counts what the reports said.
        let wednesday = buckets[3]
        XCTAssertEqual(wednesday["tests"]?.intValue, 3)
        XCTAssertEqual(try XCTUnwrap(wednesday["flaky_rate"]?.doubleValue), 0, accuracy: 1e-9)
        // Every branch: the feature run joins 4 March.
        let all = await trends(fixture.projectID, "since=2026-03-01T00:00:00Z&until=2026-03-06T00:00:00Z", key: nil)
        XCTAssertEqual(all.json["buckets"]?.arrayValue?.map { $0["runs"]?.intValue ?? -1 }, [0, 2, 0, 2, 0])
        XCTAssertEqual(all.json["branch"], .null)
    }

    func testWeeksStartOnMondayAndMonthsOnTheFirst() async throws {
        let db = try TestDatabase.connection()
        let fixture = try fixture(db)
        let weeks = await trends(fixture.project, "branch=main&since=2026-03-04T10:00:00Z&until=2026-03-25T00:00:00Z&bucket=week", key: nil)
        XCTAssertEqual(weeks.status, 200, weeks.text)
        let buckets = try XCTUnwrap(weeks.json["buckets"]?.arrayValue)
        XCTAssertEqual(
            buckets.map { $0["start"]?.stringValue?.prefix(10) ?? "" }, ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"])
        XCTAssertEqual(buckets.map { $0["runs"]?.intValue ?? -1 }, [3, 0, 1, 0], "since is rounded down to its week")
        XCTAssertTrue(weeks.json["since"]?.stringValue?.hasPrefix("2026-03-02T00:00:00") == true, weeks.text)
        XCTAssertTrue(buckets.last?["end"]?.stringValue?.hasPrefix("2026-03-25T00:00:00") == true, "the last bucket ends at until")
        let months = await trends(fixture.project, "since=2026-01-15T00:00:00Z&until=2026-04-02T00:00:00%2B02:00&bucket=month", key: nil)
        XCTAssertEqual(months.status, 200, months.text)
        let monthBuckets = try XCTUnwrap(months.json["buckets"]?.arrayValue)
        XCTAssertEqual(
            monthBuckets.map { $0["start"]?.stringValue?.prefix(10) ?? "" }, ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"])
        XCTAssertEqual(monthBuckets.map { $0["runs"]?.intValue ?? -1 }, [0, 0, 5, 0])
        XCTAssertEqual(monthBuckets[2]["failures"]?.intValue, 3, "c on 2 March, b in a shard on the 4th, the feature run's error")
    }

    func testTheDefaultRangeIsTheLast30Days() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "recent-\(UUID().uuidString.prefix(8))"
        _ = try TestDatabase.run([[JUnitCase("a")]], project: project, for: team.access, db)
        let answer = await trends(project, "", key: team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        let buckets = try XCTUnwrap(answer.json["buckets"]?.arrayValue)
        XCTAssertEqual(buckets.count, 31, "30 days back, rounded down to midnight, through today")
        XCTAssertEqual(buckets.last?["runs"]?.intValue, 1)
        XCTAssertEqual(buckets.dropLast().reduce(0) { $0 + ($1["runs"]?.intValue ?? 0) }, 0)
    }

    func testBoundsAndErrorsNameTheirParameter() async throws {
        let db = try TestDatabase.connection()
        let fixture = try fixture(db)
        for (query, parameter) in [
            ("since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "since"), ("bucket=year", "bucket"), ("since=yesterday", "since"),
            ("until=2026-13-01T00:00:00Z", "until"), ("since=2026-03-05T00:00:00Z&until=2026-03-01T00:00:00Z", "until"),
        ] {
            let answer = await trends(fixture.project, query, key: nil)
            XCTAssertEqual(answer.status, 400, "\(query): \(answer.text)")
            XCTAssertEqual(answer.errorCode, "invalid_parameter", query)
            XCTAssertTrue(answer.json["error"]?["message"]?.stringValue?.hasPrefix(parameter) == true, "\(query): \(answer.text)")
        }
        // 400 days is the bound; two years of weeks is well within it.
        let most = await trends(fixture.project, "since=2025-01-01T00:00:00Z&until=2026-02-05T00:00:00Z", key: nil)
        XCTAssertEqual(most.json["buckets"]?.arrayValue?.count, 400, most.text.prefix(200).description)
        let weekly = await trends(fixture.project, "since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z&bucket=week", key: nil)
        XCTAssertEqual(weekly.status, 200, weekly.text)
        let unknown = await trends("no-such-project-\(UUID().uuidString)", "", key: nil)
        XCTAssertEqual(unknown.status, 404, unknown.text)
        XCTAssertEqual(unknown.errorCode, "not_found")
    }

    func testAnotherTeamsPrivateProjectIsNotFound() async throws {
        let db = try TestDatabase.connection()
        let fixture = try fixture(db, projectsPublic: false)
        let stranger = try TestDatabase.team(db)
        for project in [fixture.project, fixture.projectID] {
            let asStranger = await trends(project, "", key: stranger.key)
            XCTAssertEqual(asStranger.status, 404, asStranger.text)
            let anonymous = await trends(project, "", key: nil)
            XCTAssertEqual(anonymous.status, 404, anonymous.text)
            let owner = await trends(project, "since=2026-03-01T00:00:00Z&until=2026-03-03T00:00:00Z", key: fixture.team.key)
            XCTAssertEqual(owner.status, 200, owner.text)
            XCTAssertEqual(owner.json["buckets"]?.arrayValue?.map { $0["runs"]?.intValue ?? -1 }, [0, 2])
        }
        // The stranger's own project of the same name is the one the name finds for the stranger.
        _ = try TestDatabase.run([[JUnitCase("a")]], project: fixture.project, for: stranger.access, db)
        let own = await trends(fixture.project, "", key: stranger.key)
        XCTAssertEqual(own.status, 200, own.text)
        XCTAssertNotEqual(own.json["project"]?["id"]?.stringValue, fixture.projectID)
    }
}
