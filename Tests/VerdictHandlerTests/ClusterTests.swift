import Foundation
import VerdictAPI
import VerdictDB
import VerdictJSON
import VerdictPages
import XCTest

@testable import VerdictCore

/// Failure clusters end to end in process: fingerprints stored at ingest, a run's clusters,
/// a cluster across runs, category rules, the run page, and who may see them.
final class ClusterTests: XCTestCase {
    var db: PostgresConnection!
    var team: (key: String, access: TeamAccess)!
    let harness = HandlerHarness()
    /// Cluster ids are content hashes, the same in every project: a word of this test's own
    /// in every failure keeps other tests' public projects out of its clusters.
    static var word = ""

    override func setUpWithError() throws {
        db = try TestDatabase.connection()
        team = try TestDatabase.team(db)
        // Letters past f: no masking rule takes them for hex or a number.
        Self.word = String((0..<12).map { _ in "ghijklmnopqrstuvwxyz".randomElement()! })
    }

    /// A report whose cases fail with the given (message, stack) pairs; the numbers, ports and
    /// temp paths in them differ from run to run.
    static func junit(_ failures: [(name: String, message: String, stack: String)], passing: Int = 2) -> String {
        func xml(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var cases = failures.map { failure in
            """
            <testcase classname="shop.Cart" name="\(xml(failure.name))" file="src/cart.test.ts">\
            <failure message="\(xml(failure.message))" type="\(failure.stack.components(separatedBy: ":").first ?? "")">\
            \(xml(failure.stack))</failure></testcase>
            """
        }
        cases += (0..<passing).map { "<testcase classname=\"shop.Cart\" name=\"passes \($0)\"/>" }
        return "<testsuite name=\"cart\">\(cases.joined())</testsuite>"
    }

    static func totalFailure(_ expected: Int, _ received: Int, port: Int) -> (message: String, stack: String) {
        (
            "expected \(word) total \(expected) but got \(received) from http://127.0.0.1:\(port)/cart",
            """
            AssertionError: expected \(word) total \(expected) but got \(received) from http://127.0.0.1:\(port)/cart
                at computeTotal (/home/runner/work/shop/src/cart/total.ts:\(40 + expected % 3):7)
                at Context.<anonymous> (/home/runner/work/shop/src/cart.test.ts:12:5)
                at processImmediate (node:internal/timers:476:21)
            """
        )
    }

    static func timeout(_ ms: Int) -> (message: String, stack: String) {
        (
            "Timeout of \(ms)ms exceeded waiting for \(word) '#checkout'",
            """
            TimeoutError: Timeout of \(ms)ms exceeded waiting for \(word) '#checkout'
                at waitFor (/home/runner/work/shop/src/ui/wait.ts:9:11)
                at node_modules/mocha/lib/runner.js:326:7
            """
        )
    }

    func ingest(_ failures: [(name: String, message: String, stack: String)], project: String) throws -> RunID {
        try TestDatabase.ingest(Self.junit(failures), project: project, for: team.access, db).runID
    }

    func clusters(_ runID: RunID, key: String? = nil, query: String = "") async -> HandlerHarness.Response {
        await harness.call(ListRunClusters(), "/x", pathParameters: ["id": runID.text], query: query, key: key ?? team.key)
    }

    func testFailuresWithTheSameCauseShareAClusterAndTheFirstRunMarksItNew() async throws {
        let project = "clusters-\(UUID().uuidString.prefix(8))"
        let first = try ingest(
            [
                ("totals a", Self.totalFailure(10, 9, port: 4100).message, Self.totalFailure(10, 9, port: 4100).stack),
                ("totals b", Self.totalFailure(25, 24, port: 4101).message, Self.totalFailure(25, 24, port: 4101).stack),
                ("totals c", Self.totalFailure(7, 0, port: 4102).message, Self.totalFailure(7, 0, port: 4102).stack),
                ("checkout", Self.timeout(5000).message, Self.timeout(5000).stack),
            ], project: project)
        let read = await clusters(first)
        XCTAssertEqual(read.status, 200, read.text)
        let items = read.json["items"]?.arrayValue ?? []
        XCTAssertEqual(items.count, 2, "three totals failures are one cause, the timeout another: \(read.text)")
        XCTAssertEqual(items.first?["count"]?.intValue, 3, "largest first")
        XCTAssertEqual(items.first?["tests_total"]?.intValue, 3)
        XCTAssertEqual(items.map { $0["new"]?.boolValue }, [true, true])
        let template = try XCTUnwrap(items.first?["template"]?.stringValue)
        XCTAssertFalse(template.contains("4100") || template.contains(" 10 "), "run-specific values are masked: \(template)")
        XCTAssertEqual(items.first?["error_type"]?.stringValue, "AssertionError")
        XCTAssertEqual(items.first?["frames"]?.arrayValue?.first?.stringValue?.hasSuffix("computeTotal"), true, read.text)
        XCTAssertNil(items.first?["frames"]?.arrayValue?.first(where: { $0.stringValue?.contains("node:internal") == true }))
        XCTAssertEqual(Set(items.first?["tests"]?.arrayValue?.compactMap { $0["full_title"]?.stringValue } ?? []).count, 3)

        // The next run fails the same way with other numbers: the same clusters, no longer new.
        let second = try ingest(
            [("totals a", Self.totalFailure(11, 3, port: 5333).message, Self.totalFailure(11, 3, port: 5333).stack)], project: project)
        let again = await clusters(second)
        let secondItems = again.json["items"]?.arrayValue ?? []
        XCTAssertEqual(secondItems.count, 1, again.text)
        XCTAssertEqual(secondItems.first?["id"], items.first?["id"], "the cluster id is stable across runs")
        XCTAssertEqual(secondItems.first?["new"]?.boolValue, false)
        XCTAssertEqual(secondItems.first?["first_run_id"]?.stringValue, first.text)

        // Across runs: both runs, four occurrences, the test it hit most first.
        let clusterID = try XCTUnwrap(items.first?["id"]?.stringValue)
        let detail = await harness.call(GetCluster(), "/x", pathParameters: ["id": clusterID], key: team.key)
        XCTAssertEqual(detail.status, 200, detail.text)
        XCTAssertEqual(detail.json["occurrences"]?.intValue, 4)
        XCTAssertEqual(detail.json["runs"]?.arrayValue?.map { $0["run_id"]?.stringValue }, [second.text, first.text])
        XCTAssertEqual(detail.json["tests"]?.arrayValue?.first?["occurrences"]?.intValue, 2)
        XCTAssertEqual(detail.json["projects"]?.arrayValue?.first?["project"]?.stringValue, project)
    }

    func testCategoryRulesNameClustersAndBadRulesAreRefusedByName() async throws {
        let project = "categories-\(UUID().uuidString.prefix(8))"
        let runID = try ingest(
            [
                ("checkout", Self.timeout(3000).message, Self.timeout(3000).stack),
                ("totals", Self.totalFailure(1, 2, port: 80).message, Self.totalFailure(1, 2, port: 80).stack),
            ], project: project)
        let projectID: String = try db.query("SELECT project_id FROM runs WHERE id = $1", [runID.text]).first!.decode("project_id")
        func put(_ body: String) async -> HandlerHarness.Response {
            await harness.call(
                ReplaceFailureCategories(), "/x", method: "PUT", pathParameters: ["project": projectID], key: team.key, body: body)
        }
        let bad = await put(#"{"categories":[{"name":"ok","pattern":"timeout"},{"name":"broken","pattern":"(unclosed"}]}"#)
        XCTAssertEqual(bad.status, 400, bad.text)
        XCTAssertTrue(bad.json["error"]?["message"]?.stringValue?.hasPrefix("categories[1].pattern") == true, bad.text)
        let missing = await put(#"{"categories":[{"name":"x"}]}"#)
        XCTAssertEqual(missing.status, 400)
        XCTAssertTrue(missing.json["error"]?["message"]?.stringValue?.hasPrefix("categories[0].pattern") == true, missing.text)
        let rules =
            #"{"categories":[{"name":"infrastructure","pattern":"timeout|ECONNREFUSED"},{"name":"product bug","pattern":"^AssertionError$"}]}"#
        let stored = await put(rules)
        XCTAssertEqual(stored.status, 200, stored.text)
        XCTAssertEqual(stored.json["categories"]?.arrayValue?.count, 2)
        let again = await put(rules)
        XCTAssertEqual(again.json, stored.json, "the same rules again change nothing")
        let read = await clusters(runID)
        let named = Dictionary(
            uniqueKeysWithValues: (read.json["items"]?.arrayValue ?? []).map {
                ($0["error_type"]?.stringValue ?? "", $0["category"]?.stringValue ?? "")
            })
        XCTAssertEqual(named["TimeoutError"], "infrastructure", read.text)
        XCTAssertEqual(named["AssertionError"], "product bug")
        let listed = await harness.call(ListFailureCategories(), "/x", pathParameters: ["project": projectID], key: team.key)
        XCTAssertEqual(listed.json, stored.json)
    }

    func testAnotherTeamSeesNoneOfAPrivateProjectsClusters() async throws {
        let project = "private-clusters-\(UUID().uuidString.prefix(8))"
        let runID = try ingest(
            [("totals", Self.totalFailure(3, 4, port: 1).message, Self.totalFailure(3, 4, port: 1).stack)], project: project)
        try db.query("UPDATE projects SET public = false WHERE id = (SELECT project_id FROM runs WHERE id = $1)", [runID.text])
        let own = await clusters(runID)
        let clusterID = try XCTUnwrap(own.json["items"]?.arrayValue?.first?["id"]?.stringValue)
        let other = try TestDatabase.team(db)
        for key in [other.key, nil as String?] {
            let runRead = await harness.call(ListRunClusters(), "/x", pathParameters: ["id": runID.text], key: key)
            XCTAssertEqual(runRead.status, 404, runRead.text)
            let detail = await harness.call(GetCluster(), "/x", pathParameters: ["id": clusterID], key: key)
            XCTAssertEqual(detail.status, 404, detail.text)
            XCTAssertFalse(detail.text.contains(project))
        }
        let notOurs = await harness.call(
            ReplaceFailureCategories(), "/x", method: "PUT",
            pathParameters: [
                "project": try db.query("SELECT project_id FROM runs WHERE id = $1", [runID.text]).first!.decode("project_id")
            ],
            key: other.key, body: #"{"categories":[]}"#)
        XCTAssertEqual(notOurs.status, 404, notOurs.text)
    }

    func testTheRunPageGroupsFailuresByCause() async throws {
        let runID = try ingest(
            [
                ("a <b>", Self.totalFailure(1, 2, port: 9).message, Self.totalFailure(1, 2, port: 9).stack),
                ("c", Self.totalFailure(5, 6, port: 10).message, Self.totalFailure(5, 6, port: 10).stack),
            ], project: "cluster-page-\(UUID().uuidString.prefix(8))")
        let page = await harness.call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": runID.text], key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertTrue(page.text.contains("Failures by cause"), page.text)
        XCTAssertTrue(page.text.contains("<span class=\"count\">2×</span>"), page.text)
        XCTAssertTrue(page.text.contains("a &lt;b&gt;"), "a report's titles are escaped")
        XCTAssertFalse(page.text.contains("a <b>"))
    }

    func testARunsClusterCountsAddUpAcrossShardsAndLeaveFlakyCasesOut() async throws {
        let failure = Self.totalFailure(10, 9, port: 4100)
        let escapedStack = failure.stack.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        let flaky = """
            <testcase classname="shop.Cart" name="recovers"><flakyFailure message="\(failure.message)" type="AssertionError">\
            \(escapedStack)</flakyFailure></testcase>
            """
        let first = Self.junit([("a", failure.message, failure.stack), ("b", failure.message, failure.stack)])
        var second = Self.junit([("c", failure.message, failure.stack)])
        second = second.replacingOccurrences(of: "</testsuite>", with: flaky + "</testsuite>")
        let reports = try TestDatabase.ingest(
            shards: [first, second], project: "cluster-shards-\(UUID().uuidString.prefix(8))", for: team.access, db)
        let runID = reports[0].runID
        let read = await clusters(runID)
        XCTAssertEqual(read.status, 200, read.text)
        let items = read.json["items"]?.arrayValue ?? []
        XCTAssertEqual(items.count, 1, read.text)
        XCTAssertEqual(items.first?["count"]?.intValue, 3, "both shards' failures, not the flaky case's: \(read.text)")
        XCTAssertEqual(items.first?["tests_total"]?.intValue, 3)
        // The stored counts are what counting the run's failed cases gives (the migration's backfill).
        let recount = try db.query(
            """
            SELECT count(*) AS n FROM cases WHERE run_id = $1 AND cluster_id = $2 AND status IN ('failed', 'errored')
            """, [runID.text, try XCTUnwrap(items.first?["id"]?.stringValue)]
        ).first!
        XCTAssertEqual(try recount.decode("n", as: Int.self), 3)
        let flakyCases = try db.query(
            "SELECT count(*) AS n FROM cases WHERE run_id = $1 AND status = 'flaky' AND cluster_id IS NOT NULL", [runID.text]
        ).first!
        XCTAssertEqual(
            try flakyCases.decode("n", as: Int.self), 1, "a flaky case still carries the cluster of the failure it recovered from")
    }

    func harness(summaryCommand: String?, timeoutMilliseconds: Int = 5_000) -> HandlerHarness {
        HandlerHarness(
            resources: FunctionResources(
                settings: FunctionSettings(
                    functionName: "handler-tests", databaseURL: HandlerHarness.databaseURL,
                    summaryCommand: summaryCommand.map {
                        SummaryCommand(commandLine: $0, timeoutMilliseconds: timeoutMilliseconds, environment: ["PATH=/usr/bin:/bin"])
                    }),
                objectStore: .success(HandlerHarness.signingOnlyStore)))
    }

    func summarize(_ harness: HandlerHarness, project: String, cluster: String) async -> HandlerHarness.Response {
        await harness.call(
            SummarizeCluster(), "/x", method: "POST", pathParameters: ["project": project, "id": cluster], key: team.key)
    }

    func testASummaryIsRefusedWhenOffAndAFailedCommandStoresNothing() async throws {
        let project = "summary-\(UUID().uuidString.prefix(8))"
        let runID = try ingest([("t", "broken \(Self.word) thing", "AssertionError: broken \(Self.word) thing")], project: project)
        let listed = await clusters(runID)
        let clusterID = try XCTUnwrap(listed.json["items"]?.arrayValue?.first?["id"]?.stringValue)

        let off = await summarize(harness(summaryCommand: nil), project: project, cluster: clusterID)
        XCTAssertEqual(off.status, 409, off.text)
        XCTAssertEqual(off.json["error"]?["code"]?.stringValue, "summaries_disabled")

        let failing = await summarize(harness(summaryCommand: "echo 'model unavailable' >&2; exit 3"), project: project, cluster: clusterID)
        XCTAssertEqual(failing.status, 502, failing.text)
        XCTAssertEqual(failing.json["error"]?["code"]?.stringValue, "summary_failed")
        XCTAssertTrue(failing.text.contains("exit status 3: model unavailable"), failing.text)

        let silent = await summarize(harness(summaryCommand: "cat >/dev/null"), project: project, cluster: clusterID)
        XCTAssertEqual(silent.status, 502, silent.text)
        XCTAssertTrue(silent.text.contains("printed no summary"), silent.text)

        let started = Date()
        let slow = await summarize(
            harness(summaryCommand: "sleep 20; echo late", timeoutMilliseconds: 300), project: project, cluster: clusterID)
        XCTAssertEqual(slow.status, 502, slow.text)
        XCTAssertTrue(slow.text.contains("timed out"), slow.text)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the command is stopped at its deadline")

        let unchanged = await clusters(runID)
        XCTAssertEqual(unchanged.json["items"]?.arrayValue?.first?["summary"], .null, "nothing stored")

        // The prompt is JSON on stdin, the printed text (blanks trimmed, control characters out) is the summary.
        let working = await summarize(
            harness(
                summaryCommand:
                    "python3 -c \"import json,sys; p=json.load(sys.stdin); print('  ' + p['error_type'] + chr(7) + ' x' + str(len(p['examples'])) + '  ')\""
            ),
            project: project, cluster: clusterID)
        XCTAssertEqual(working.status, 200, working.text)
        XCTAssertEqual(working.json["summary"]?["text"]?.stringValue, "AssertionError x1")

        let otherTeam = try TestDatabase.team(db)
        let hidden = await harness(summaryCommand: "echo no").call(
            SummarizeCluster(), "/x", method: "POST", pathParameters: ["project": project, "id": clusterID], key: otherTeam.key)
        XCTAssertEqual(hidden.status, 404, "another team's project: \(hidden.text)")
    }

    func testAPageOfClustersContinuesWhereTheLastEnded() async throws {
        let failures = (0..<5).map { index in
            (name: "t\(index)", message: "failure \(Self.word) kind \(String(repeating: "x", count: index + 1))", stack: "")
        }
        let runID = try ingest(failures, project: "cluster-pages-\(UUID().uuidString.prefix(8))")
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = await clusters(runID, query: "limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(page.status, 200, page.text)
            seen += page.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            cursor = page.json["next_cursor"]?.stringValue
        } while cursor != nil
        XCTAssertEqual(seen.count, 5)
        XCTAssertEqual(Set(seen).count, 5)
    }
}
