import Foundation
import VerdictAPI
import VerdictDB
import VerdictJSON
import VerdictReports
import VerdictS3
import VerdictTestSupport
import XCTest

@testable import VerdictCore

/// A test in a constructed JUnit report: its name, `pass`/`fail`/`error`/`skip`, seconds.
struct JUnitCase {
    var name: String
    var outcome: String
    var seconds: Double

    init(_ name: String, _ outcome: String = "pass", _ seconds: Double = 0.01) {
        self.name = name
        self.outcome = outcome
        self.seconds = seconds
    }

    static func report(_ cases: [JUnitCase], suite: String = "compare") -> String {
        report(suites: [(suite, cases)])
    }

    /// A report of several `<testsuite>` elements in this order (a name may come back).
    static func report(suites: [(name: String, cases: [JUnitCase])]) -> String {
        "<testsuites>" + suites.map { "<testsuite name=\"\($0.name)\">\(body($0.cases, suite: $0.name))</testsuite>" }.joined()
            + "</testsuites>"
    }

    static func body(_ cases: [JUnitCase], suite: String) -> String {
        let body = cases.map { test -> String in
            let inner: String
            switch test.outcome {
            case "fail": inner = "<failure message=\"broke\" type=\"AssertionError\">AssertionError: broke</failure>"
            case "error": inner = "<error message=\"boom\" type=\"TypeError\">TypeError: boom</error>"
            case "skip": inner = "<skipped/>"
            default: inner = ""
            }
            let name = test.name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
            return "<testcase classname=\"\(suite).Spec\" name=\"\(name)\" time=\"\(test.seconds)\">\(inner)</testcase>"
        }
        return body.joined()
    }
}

extension TestDatabase {
    /// A completed run of `project` on `branch` made of one report per shard, ingested through
    /// the core services as uploads are.
    static func run(
        _ shards: [[JUnitCase]], project: String, branch: String = "main", commit: String? = nil, for access: TeamAccess,
        _ db: PostgresConnection
    ) throws -> RunID {
        try run(reports: shards.map { JUnitCase.report($0) }, project: project, branch: branch, commit: commit, for: access, db)
    }

    /// A completed run of one JUnit report per shard.
    static func run(
        reports: [String], project: String, branch: String = "main", commit: String? = nil, for access: TeamAccess,
        _ db: PostgresConnection
    ) throws -> RunID {
        let identity = try RunIdentity(
            project: project, commit: commit, branch: branch, ciRunID: UUID().uuidString, ciRunAttempt: nil, name: "ci")
        let run = try RunService(db: db).begin(identity, for: access, expected: reports.count).run
        let store = ObjectStore(configuration: HandlerHarness.signingOnlyStore)
        for (index, report) in reports.enumerated() {
            let bytes = Array(report.utf8)
            let file = try DeclaredFile(
                name: "report.xml", kind: "report", size: Int64(bytes.count), sha256: String(repeating: "0", count: 64),
                contentType: nil, field: "file")
            let reserved = try db.transaction {
                try ReportRegistrar(db: db, store: store).reserve(run.id, for: access, shard: String(index + 1), format: nil, files: [file])
            }
            _ = try ReportIngest(db: db, store: store).ingest(
                reportID: reserved.reportID, runID: run.id, projectID: run.projectID, uploaded: [:],
                produce: ReportIngest.producer(try ReportParser.parse(bytes, format: nil)), progress: nil)
        }
        return run.id
    }
}

/// `GET /api/v1/runs/compare` in process over the test database: every category from a
/// constructed pair of runs, the default base on the default and a feature branch, no base,
/// tenancy and bad parameters.
final class CompareTests: XCTestCase {
    let harness = HandlerHarness()

    func compare(_ query: String, key: String?) async -> HandlerHarness.Response {
        let lines = CollectedLines()
        let answer = await harness.call(CompareRuns(), "/api/v1/runs/compare", query: query, key: key, log: lines)
        XCTAssertLessThan(answer.status, 500, "\(query): \(lines.all)")
        return answer
    }

    /// Titles of one list, in the answer's order.
    func titles(_ answer: HandlerHarness.Response, _ list: String) -> [String] {
        answer.json[list]?.arrayValue?.compactMap { $0["full_title"]?.stringValue } ?? []
    }

    func test(_ answer: HandlerHarness.Response, _ list: String, _ name: String) -> JSON? {
        answer.json[list]?.arrayValue?.first { $0["full_title"]?.stringValue?.hasSuffix(".\(name)") == true }
    }

    struct Pair {
        let team: (key: String, access: TeamAccess)
        let project: String
        let base: RunID
        let head: RunID
    }

    /// Three runs of history, a base and a head (two shards: `turns-flaky` fails in one and
    /// passes in the other) on `main`.
    func constructedPair(_ db: PostgresConnection, projectsPublic: Bool = true) throws -> Pair {
        let team = try TestDatabase.team(db, projectsPublic: projectsPublic)
        let project = "compare-\(UUID().uuidString.prefix(8))"
        for _ in 0..<3 {
            _ = try TestDatabase.run(
                [[JUnitCase("slows-down", "pass", 1.0), JUnitCase("noisy", "pass", 2.0), JUnitCase("steady", "pass", 0.5)]],
                project: project, for: team.access, db)
        }
        let base = try TestDatabase.run(
            [
                [
                    JUnitCase("breaks"), JUnitCase("gets-fixed", "fail"), JUnitCase("keeps-failing", "error"), JUnitCase("goes-away"),
                    JUnitCase("turns-flaky"), JUnitCase("slows-down", "pass", 1.0), JUnitCase("noisy", "pass", 1.0),
                    JUnitCase("fresh", "pass", 0.1), JUnitCase("tiny", "pass", 0.01), JUnitCase("steady", "pass", 0.5),
                    JUnitCase("stays-skipped", "skip"),
                ]
            ], project: project, commit: "aaaaaaa1", for: team.access, db)
        let head = try TestDatabase.run(
            [
                [
                    JUnitCase("breaks", "fail"), JUnitCase("gets-fixed"), JUnitCase("keeps-failing", "fail"), JUnitCase("arrives"),
                    JUnitCase("turns-flaky", "fail"), JUnitCase("slows-down", "pass", 2.0), JUnitCase("noisy", "pass", 1.5),
                    JUnitCase("fresh", "pass", 0.5), JUnitCase("tiny", "pass", 0.05), JUnitCase("steady", "pass", 0.5),
                    JUnitCase("stays-skipped", "skip"),
                ],
                [JUnitCase("turns-flaky", "pass")],
            ], project: project, commit: "bbbbbbb2", for: team.access, db)
        return Pair(team: team, project: project, base: base, head: head)
    }

    func testEveryCategoryOfAConstructedPair() async throws {
        let db = try TestDatabase.connection()
        let pair = try constructedPair(db)
        let answer = await compare("head=\(pair.head.text)&base=\(pair.base.text)", key: pair.team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(answer.json["base"]?["id"]?.stringValue, pair.base.text)
        XCTAssertEqual(answer.json["head"]?["id"]?.stringValue, pair.head.text)
        XCTAssertEqual(answer.json["base_selection"]?.stringValue, "given")
        XCTAssertNotNil(answer.json["new_clusters"]?.arrayValue, "new failure causes are a list of their own")
        let summary = try XCTUnwrap(answer.json["summary"]?.objectValue)
        XCTAssertEqual(
            summary.keys.sorted(),
            ["duration_regressions", "fixed", "new_clusters", "new_failures", "new_tests", "newly_flaky", "removed_tests", "still_failing"])
        func only(_ list: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(titles(answer, list), ["compare.Spec.\(name)"], list, file: file, line: line)
            XCTAssertEqual(summary[list]?.intValue, 1, list, file: file, line: line)
        }
        only("new_failures", "breaks")
        only("fixed", "gets-fixed")
        only("still_failing", "keeps-failing")
        only("new_tests", "arrives")
        only("removed_tests", "goes-away")
        only("newly_flaky", "turns-flaky")

        let breaks = try XCTUnwrap(test(answer, "new_failures", "breaks"))
        XCTAssertEqual(breaks["base_status"]?.stringValue, "passed")
        XCTAssertEqual(breaks["head_status"]?.stringValue, "failed")
        XCTAssertNotNil(breaks["test_id"]?.stringValue)
        XCTAssertEqual(try XCTUnwrap(breaks["base_duration_ms"]?.doubleValue), 10, accuracy: 0.001)
        let stillFailing = try XCTUnwrap(test(answer, "still_failing", "keeps-failing"))
        XCTAssertEqual(stillFailing["base_status"]?.stringValue, "errored")
        XCTAssertEqual(stillFailing["head_status"]?.stringValue, "failed")
        let arrives = try XCTUnwrap(test(answer, "new_tests", "arrives"))
        XCTAssertEqual(arrives["base_status"], .null)
        XCTAssertEqual(arrives["base_case_id"], .null)
        XCTAssertNotNil(arrives["head_case_id"]?.stringValue)
        let goesAway = try XCTUnwrap(test(answer, "removed_tests", "goes-away"))
        XCTAssertEqual(goesAway["head_status"], .null)
        XCTAssertEqual(goesAway["base_status"]?.stringValue, "passed")
        // Failed in one report and passed in the other: one result, flaky.
        let flaky = try XCTUnwrap(test(answer, "newly_flaky", "turns-flaky"))
        XCTAssertEqual(flaky["head_status"]?.stringValue, "flaky")
        XCTAssertEqual(flaky["head_results"]?.intValue, 2)
        XCTAssertEqual(flaky["base_results"]?.intValue, 1)

        // slows-down doubles against its median of 4 runs; fresh has too little history and is
        // measured against base; noisy is slower than base but not than its median; tiny is
        // +400 % but only +40 ms.
        XCTAssertEqual(titles(answer, "duration_regressions"), ["compare.Spec.slows-down", "compare.Spec.fresh"])
        XCTAssertEqual(summary["duration_regressions"]?.intValue, 2)
        let slows = try XCTUnwrap(test(answer, "duration_regressions", "slows-down"))
        XCTAssertEqual(slows["reference"]?.stringValue, "history_median")
        XCTAssertEqual(slows["reference_samples"]?.intValue, 4)
        XCTAssertEqual(try XCTUnwrap(slows["reference_duration_ms"]?.doubleValue), 1000, accuracy: 0.001)
        XCTAssertEqual(try XCTUnwrap(slows["increase_ms"]?.doubleValue), 1000, accuracy: 0.001)
        XCTAssertEqual(try XCTUnwrap(slows["increase_pct"]?.doubleValue), 100, accuracy: 0.001)
        let fresh = try XCTUnwrap(test(answer, "duration_regressions", "fresh"))
        XCTAssertEqual(fresh["reference"]?.stringValue, "base")
        XCTAssertEqual(try XCTUnwrap(fresh["reference_duration_ms"]?.doubleValue), 100, accuracy: 0.001)

        // Thresholds are the caller's: at 1,000 % only none is left; at 10 ms tiny joins.
        let strict = await compare("head=\(pair.head.text)&base=\(pair.base.text)&min_increase_pct=1000", key: pair.team.key)
        XCTAssertEqual(strict.json["summary"]?["duration_regressions"]?.intValue, 0, strict.text)
        let loose = await compare("head=\(pair.head.text)&base=\(pair.base.text)&min_increase_ms=10", key: pair.team.key)
        XCTAssertEqual(loose.json["summary"]?["duration_regressions"]?.intValue, 3, loose.text)
        XCTAssertEqual(loose.json["options"]?["min_increase_ms"]?.doubleValue, 10)

        // Reversed, the lists swap: what was new is removed, what broke is fixed.
        let reversed = await compare("head=\(pair.base.text)&base=\(pair.head.text)", key: pair.team.key)
        XCTAssertEqual(reversed.status, 200, reversed.text)
        XCTAssertEqual(titles(reversed, "removed_tests"), ["compare.Spec.arrives"])
        XCTAssertEqual(titles(reversed, "new_tests"), ["compare.Spec.goes-away"])
        XCTAssertEqual(titles(reversed, "fixed"), ["compare.Spec.breaks"])
    }

    /// Reruns in several reports are one result per run: repeats that agree change nothing, and
    /// a failure that passed on its rerun in head is flaky there (fixed, and newly flaky).
    func testRepeatedResultsInARunAreOneResult() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "repeats-\(UUID().uuidString.prefix(8))"
        let base = try TestDatabase.run(
            [
                [JUnitCase("same", "pass", 0.2), JUnitCase("retried", "fail"), JUnitCase("slowed", "pass", 0.2)],
                [JUnitCase("same", "pass", 0.4), JUnitCase("retried", "fail"), JUnitCase("slowed", "pass", 0.4)],
            ],
            project: project, for: team.access, db)
        // `slowed` has two results on each side (four pairs): its means are 300 and 1,200 ms.
        let head = try TestDatabase.run(
            [
                [JUnitCase("same", "pass", 0.3), JUnitCase("retried", "fail"), JUnitCase("slowed", "pass", 1.0)],
                [JUnitCase("retried", "pass"), JUnitCase("slowed", "pass", 1.4)],
            ], project: project, for: team.access, db)
        let answer = await compare("head=\(head.text)&base=\(base.text)", key: team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(titles(answer, "fixed"), ["compare.Spec.retried"])
        XCTAssertEqual(titles(answer, "newly_flaky"), ["compare.Spec.retried"])
        let retried = try XCTUnwrap(test(answer, "fixed", "retried"))
        XCTAssertEqual(retried["base_status"]?.stringValue, "failed")
        XCTAssertEqual(retried["base_results"]?.intValue, 2)
        XCTAssertEqual(retried["head_status"]?.stringValue, "flaky")
        let slowed = try XCTUnwrap(test(answer, "duration_regressions", "slowed"))
        XCTAssertEqual(try XCTUnwrap(slowed["base_duration_ms"]?.doubleValue), 300, accuracy: 0.001)
        XCTAssertEqual(try XCTUnwrap(slowed["head_duration_ms"]?.doubleValue), 1_200, accuracy: 0.001)
        XCTAssertEqual(slowed["base_results"]?.intValue, 2)
        XCTAssertEqual(slowed["head_results"]?.intValue, 2)
        let summary = try XCTUnwrap(answer.json["summary"]?.objectValue)
        XCTAssertEqual(summary.pairs.reduce(0) { $0 + Int($1.value.intValue ?? 0) }, 3, "same is unchanged: \(summary)")
    }

    /// The history median when a test's cases are scattered: in each history run suite A comes
    /// twice in the first report with B between (A's cases lie in two spans there) and the
    /// second report reruns `slow`, so a run's sample is the mean of its two results. Whether
    /// B's tests are candidates too (A's and B's spans are read as one range) or not (two), the
    /// reference is the same. `young` has two samples, fewer than three: base is its reference.
    func testTheHistoryMedianOverScatteredSpansAndReruns() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "scattered-\(UUID().uuidString.prefix(8))"
        func run(slow: [Double], y: Double, young: Double?) throws -> RunID {
            let first = JUnitCase.report(suites: [
                ("A", [JUnitCase("x", "pass", 0.1)] + (young.map { [JUnitCase("young", "pass", $0)] } ?? [])),
                ("B", [JUnitCase("y", "pass", y)]), ("A", [JUnitCase("slow", "pass", slow[0])]),
            ])
            let reruns = slow.dropFirst().map { JUnitCase.report([JUnitCase("slow", "pass", $0)], suite: "A") }
            return try TestDatabase.run(reports: [first] + reruns, project: project, for: team.access, db)
        }
        // Per-run means of slow: 1,000, 1,200 and 3,000 ms; base 1,100: the median is 1,150.
        _ = try run(slow: [0.8, 1.2], y: 0.5, young: nil)
        _ = try run(slow: [1.0, 1.4], y: 0.5, young: nil)
        _ = try run(slow: [2.8, 3.2], y: 0.5, young: 0.2)
        let base = try run(slow: [1.1], y: 0.5, young: 0.3)
        let head = try run(slow: [2.0], y: 1.0, young: 1.0)

        let answer = await compare("head=\(head.text)&base=\(base.text)", key: team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(titles(answer, "duration_regressions"), ["A.Spec.slow", "A.Spec.young", "B.Spec.y"], "largest increase first")
        let slow = try XCTUnwrap(test(answer, "duration_regressions", "slow"))
        XCTAssertEqual(slow["reference"]?.stringValue, "history_median")
        XCTAssertEqual(slow["reference_samples"]?.intValue, 4)
        XCTAssertEqual(try XCTUnwrap(slow["reference_duration_ms"]?.doubleValue), 1150, accuracy: 0.001)
        let y = try XCTUnwrap(test(answer, "duration_regressions", "y"))
        XCTAssertEqual(y["reference_samples"]?.intValue, 4)
        XCTAssertEqual(try XCTUnwrap(y["reference_duration_ms"]?.doubleValue), 500, accuracy: 0.001)
        let young = try XCTUnwrap(test(answer, "duration_regressions", "young"))
        XCTAssertEqual(young["reference"]?.stringValue, "base")
        XCTAssertEqual(try XCTUnwrap(young["reference_duration_ms"]?.doubleValue), 300, accuracy: 0.001)

        // At 600 ms y (+500 ms) is no candidate, and A's spans are read apart: slow's reference stands.
        let apart = await compare("head=\(head.text)&base=\(base.text)&min_increase_ms=600", key: team.key)
        XCTAssertEqual(titles(apart, "duration_regressions"), ["A.Spec.slow", "A.Spec.young"], apart.text)
        let alone = try XCTUnwrap(test(apart, "duration_regressions", "slow"))
        XCTAssertEqual(alone["reference_samples"]?.intValue, 4)
        XCTAssertEqual(try XCTUnwrap(alone["reference_duration_ms"]?.doubleValue), 1150, accuracy: 0.001)
    }

    func testListsAreBoundedAndTheSummaryCountsEverything() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "bounded-\(UUID().uuidString.prefix(8))"
        let base = try TestDatabase.run([(0..<5).map { JUnitCase("t\($0)") }], project: project, for: team.access, db)
        let head = try TestDatabase.run([(0..<5).map { JUnitCase("t\($0)", "fail") }], project: project, for: team.access, db)
        let answer = await compare("head=\(head.text)&base=\(base.text)&limit=2", key: team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(answer.json["summary"]?["new_failures"]?.intValue, 5)
        XCTAssertEqual(titles(answer, "new_failures"), ["compare.Spec.t0", "compare.Spec.t1"], "report order")
        XCTAssertEqual(answer.json["options"]?["limit"]?.intValue, 2)
    }

    func testNewClustersAreTheCausesHeadHasAndBaseLacks() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "causes-\(UUID().uuidString.prefix(8))"
        // `broke` (an AssertionError) fails in both runs; `boom` (a TypeError) only in head.
        let base = try TestDatabase.run(
            [[JUnitCase("a", "fail"), JUnitCase("b"), JUnitCase("c")]], project: project, for: team.access, db)
        let head = try TestDatabase.run(
            [[JUnitCase("a", "fail"), JUnitCase("b", "error"), JUnitCase("c", "error"), JUnitCase("d", "fail")]], project: project,
            for: team.access, db)
        let answer = await compare("head=\(head.text)&base=\(base.text)", key: team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(answer.json["summary"]?["new_clusters"]?.intValue, 1, answer.text)
        let cluster = try XCTUnwrap(answer.json["new_clusters"]?.arrayValue?.first)
        XCTAssertEqual(cluster["error_type"]?.stringValue, "TypeError", answer.text)
        XCTAssertEqual(cluster["count"]?.intValue, 2, "head's two failures of it")
        // The other way round, base's cause is no news.
        let back = await compare("head=\(base.text)&base=\(head.text)", key: team.key)
        XCTAssertEqual(back.json["summary"]?["new_clusters"]?.intValue, 0, back.text)
    }
    func testTheDefaultBaseOnTheDefaultBranchAndOnAFeatureBranch() async throws {
        let db = try TestDatabase.connection()
        let pair = try constructedPair(db)
        // On main: the latest completed main run before head.
        let onMain = await compare("head=\(pair.head.text)", key: pair.team.key)
        XCTAssertEqual(onMain.status, 200, onMain.text)
        XCTAssertEqual(onMain.json["base"]?["id"]?.stringValue, pair.base.text)
        XCTAssertEqual(onMain.json["base_selection"]?.stringValue, "same_branch")

        // A feature branch is compared with main's latest, not with its own earlier run.
        let access = pair.team.access
        let featureFirst = try TestDatabase.run([[JUnitCase("breaks")]], project: pair.project, branch: "feature/x", for: access, db)
        let featureSecond = try TestDatabase.run([[JUnitCase("breaks")]], project: pair.project, branch: "feature/x", for: access, db)
        let onFeature = await compare("head=\(featureSecond.text)", key: pair.team.key)
        XCTAssertEqual(onFeature.status, 200, onFeature.text)
        XCTAssertEqual(onFeature.json["base"]?["id"]?.stringValue, pair.head.text)
        XCTAssertEqual(onFeature.json["base_selection"]?.stringValue, "default_branch")
        // A run created later on main is not "before" the feature run.
        _ = try TestDatabase.run([[JUnitCase("breaks")]], project: pair.project, for: access, db)
        let stillHead = await compare("head=\(featureSecond.text)", key: pair.team.key)
        XCTAssertEqual(stillHead.json["base"]?["id"]?.stringValue, pair.head.text)

        // The project names another default branch; without runs on it the feature branch's own
        // earlier run is the base.
        let projectID = try XCTUnwrap(onMain.json["head"]?["project_id"]?.stringValue)
        let patched = await harness.call(
            UpdateProject(), "/api/v1/projects/\(projectID)", method: "PATCH", pathParameters: ["project": projectID],
            key: pair.team.key, body: #"{"default_branch": "develop"}"#)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.json["default_branch"]?.stringValue, "develop")
        let fallback = await compare("head=\(featureSecond.text)", key: pair.team.key)
        XCTAssertEqual(fallback.json["base"]?["id"]?.stringValue, featureFirst.text, fallback.text)
        XCTAssertEqual(fallback.json["base_selection"]?.stringValue, "same_branch")
        // An empty branch name is refused; null forgets the setting.
        let bad = await harness.call(
            UpdateProject(), "/api/v1/projects/\(projectID)", method: "PATCH", pathParameters: ["project": projectID],
            key: pair.team.key, body: #"{"default_branch": ""}"#)
        XCTAssertEqual(bad.status, 400, bad.text)
        XCTAssertTrue(bad.text.contains("default_branch"), bad.text)
        let cleared = await harness.call(
            UpdateProject(), "/api/v1/projects/\(projectID)", method: "PATCH", pathParameters: ["project": projectID],
            key: pair.team.key, body: #"{"default_branch": null}"#)
        XCTAssertEqual(cleared.json["default_branch"], .null)
    }

    func testMasterIsTheDefaultBranchWithoutMain() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "master-\(UUID().uuidString.prefix(8))"
        let onMaster = try TestDatabase.run([[JUnitCase("a")]], project: project, branch: "master", for: team.access, db)
        let feature = try TestDatabase.run([[JUnitCase("a", "fail")]], project: project, branch: "topic", for: team.access, db)
        let answer = await compare("head=\(feature.text)", key: team.key)
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(answer.json["base"]?["id"]?.stringValue, onMaster.text)
        XCTAssertEqual(answer.json["summary"]?["new_failures"]?.intValue, 1)
    }

    func testNoBaseIsAClearError() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "lonely-\(UUID().uuidString.prefix(8))"
        let only = try TestDatabase.run([[JUnitCase("a")]], project: project, for: team.access, db)
        let answer = await compare("head=\(only.text)", key: team.key)
        XCTAssertEqual(answer.status, 404, answer.text)
        XCTAssertEqual(answer.errorCode, "no_base_run")
        XCTAssertTrue(answer.json["error"]?["message"]?.stringValue?.contains("base") == true, answer.text)
        // A running run is no base either.
        let identity = try RunIdentity(project: project, commit: nil, branch: "main", ciRunID: "open", ciRunAttempt: nil, name: nil)
        let open = try RunService(db: db).begin(identity, for: team.access, expected: 2).run.id
        let later = try TestDatabase.run([[JUnitCase("a")]], project: project, for: team.access, db)
        let skipsOpen = await compare("head=\(later.text)", key: team.key)
        XCTAssertEqual(skipsOpen.json["base"]?["id"]?.stringValue, only.text, "not the running \(open.text)")
    }

    func testAnotherTeamsRunIsNotFound() async throws {
        let db = try TestDatabase.connection()
        let pair = try constructedPair(db, projectsPublic: false)
        let stranger = try TestDatabase.team(db)
        let asStranger = await compare("head=\(pair.head.text)&base=\(pair.base.text)", key: stranger.key)
        XCTAssertEqual(asStranger.status, 404, asStranger.text)
        XCTAssertEqual(asStranger.errorCode, "not_found")
        let anonymous = await compare("head=\(pair.head.text)", key: nil)
        XCTAssertEqual(anonymous.status, 404, anonymous.text)
        // The stranger's own run cannot be compared with the hidden one either way.
        let own = try TestDatabase.run([[JUnitCase("a")]], project: "mine", for: stranger.access, db)
        let hiddenBase = await compare("head=\(own.text)&base=\(pair.base.text)", key: stranger.key)
        XCTAssertEqual(hiddenBase.status, 404, hiddenBase.text)
        XCTAssertTrue(hiddenBase.text.contains(pair.base.text), hiddenBase.text)
        // A base from another project is a bad parameter.
        let otherProject = try TestDatabase.run([[JUnitCase("a")]], project: "other", for: pair.team.access, db)
        let crossed = await compare("head=\(pair.head.text)&base=\(otherProject.text)", key: pair.team.key)
        XCTAssertEqual(crossed.status, 400, crossed.text)
        XCTAssertTrue(crossed.text.contains("base"), crossed.text)
        let owner = await compare("head=\(pair.head.text)", key: pair.team.key)
        XCTAssertEqual(owner.status, 200, owner.text)
    }

    func testBadParametersAreNamed() async throws {
        let db = try TestDatabase.connection()
        let pair = try constructedPair(db)
        let head = "head=\(pair.head.text)"
        for (query, parameter) in [
            ("", "head"), ("head=nope", "head"), ("\(head)&base=12", "base"), ("\(head)&min_increase_pct=abc", "min_increase_pct"),
            ("\(head)&min_increase_pct=-5", "min_increase_pct"), ("\(head)&min_increase_pct=nan", "min_increase_pct"),
            ("\(head)&min_increase_ms=1e3", "min_increase_ms"), ("\(head)&limit=0", "limit"), ("\(head)&limit=1001", "limit"),
        ] {
            let answer = await compare(query, key: pair.team.key)
            XCTAssertEqual(answer.status, 400, "\(query): \(answer.text)")
            XCTAssertEqual(answer.errorCode, "invalid_parameter", query)
            XCTAssertTrue(answer.json["error"]?["message"]?.stringValue?.hasPrefix(parameter) == true, "\(query): \(answer.text)")
        }
        let unknown = await compare("head=\(UUID().uuidString)", key: pair.team.key)
        XCTAssertEqual(unknown.status, 404, unknown.text)
        let fractional = await compare("\(head)&min_increase_pct=12.5&limit=1000", key: pair.team.key)
        XCTAssertEqual(fractional.status, 200, fractional.text)
    }
}

/// Compare and the flaky list agree on a project's default branch once the project names one.
final class DefaultBranchTests: XCTestCase {
    func testTheProjectsOwnDefaultBranchComesFirstThenMainThenTheBusiestBranch() throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let project = "default-branch-\(UUID().uuidString.prefix(8))"
        let run = try TestDatabase.run([[JUnitCase("a")]], project: project, branch: "develop", for: team.access, db)
        _ = try TestDatabase.run([[JUnitCase("a")]], project: project, branch: "develop", for: team.access, db)
        let projectID: ProjectID = try db.query("SELECT project_id FROM runs WHERE id = $1", [run.text]).first!.decode("project_id")
        XCTAssertEqual(try DefaultBranch(db: db).of(projectID), "develop", "the busiest branch, without main or master")
        _ = try TestDatabase.run([[JUnitCase("a")]], project: project, branch: "main", for: team.access, db)
        XCTAssertEqual(try DefaultBranch(db: db).of(projectID), "main")
        try db.query("UPDATE projects SET default_branch = 'release' WHERE id = $1", [projectID.text])
        XCTAssertEqual(try DefaultBranch(db: db).of(projectID), "release", "the project's setting wins")
    }
}
