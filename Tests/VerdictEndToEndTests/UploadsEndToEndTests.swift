import Foundation
import VerdictCore
import VerdictCrypto
import VerdictDB
import VerdictReports
import VerdictTestSupport
import XCTest

/// Report uploads through the real emulator, real handler processes, the emulator's S3 endpoint
/// and a real PostgreSQL: the one-shot upload of every corpus file, the multi-shard flow with
/// presigned PUTs, idempotency, bad input and the staleness reaper.
final class UploadsEndToEndTests: TemplateEmulatorTestCase {
    var auth: [String: String] { ["X-API-Key": Self.developmentKey] }
    /// A fresh identity per test, so tests never meet each other's runs.
    let ciRunID = UUID().uuidString

    func upload(_ bytes: Data, _ query: String) async throws -> HTTPResult {
        try await HTTPClient.send("POST", "\(base)/api/v1/reports?\(query)", headers: auth, body: bytes)
    }

    func postJSON(_ path: String, _ body: Any) async throws -> HTTPResult {
        try await HTTPClient.send(
            "POST", "\(base)\(path)", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
            body: try JSONSerialization.data(withJSONObject: body))
    }

    // MARK: One-shot

    func testEveryCorpusFileUploadsWithTheParsersTotalsOrItsError() async throws {
        let corpus = try Corpus.load()
        let files = corpus.files().map(corpus.url)
        XCTAssertGreaterThan(files.count, 100)
        var stored = 0
        var refused = 0
        for (index, file) in files.enumerated() {
            let bytes = try Data(contentsOf: file)
            let query =
                "project=corpus&ci_run_id=\(ciRunID)-\(index)&filename=\(file.lastPathComponent.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "f")"
            let response = try await upload(bytes, query)
            do {
                let expected = try ReportParser.parse(Array(bytes)).totals
                XCTAssertEqual(response.status, 201, "\(file.path): \(response.text)")
                let summary = try response.json()["summary"] as? [String: Any] ?? [:]
                let got = ReportTotals(
                    tests: summary["tests"] as? Int ?? -1, passed: summary["passed"] as? Int ?? -1, failed: summary["failed"] as? Int ?? -1,
                    skipped: summary["skipped"] as? Int ?? -1, errors: summary["errors"] as? Int ?? -1,
                    flaky: summary["flaky"] as? Int ?? -1)
                XCTAssertEqual(got, expected, file.path)
                let run = try response.json()["run"] as? [String: Any] ?? [:]
                XCTAssertEqual(run["status"] as? String, "completed", file.path)
                stored += 1
            } catch let error as ReportParseError {
                XCTAssertEqual(response.status, error.code == .notAReport ? 422 : 400, "\(file.path): \(response.text)")
                XCTAssertEqual(response.errorCode(), error.code.rawValue, file.path)
                // Nothing was written: the identity still names no run.
                let begin = try await postJSON(
                    "/api/v1/reports/begin", ["project": "corpus", "ci_run_id": "\(ciRunID)-\(index)", "total_reports_expected": 1])
                XCTAssertEqual(try begin.json()["created"] as? Bool, true, "\(file.path): a refused upload left a run behind")
                refused += 1
            }
        }
        XCTAssertGreaterThan(stored, 100)
        XCTAssertGreaterThan(refused, 3)
        print("corpus through POST /api/v1/reports: \(stored) stored, \(refused) refused with their parse error")
    }

    /// Full titles that are just `classname.title` (or the title) are left out of the row and
    /// derived by the database on the way out; others are stored as they are.
    func testDerivedFullTitlesAreLeftOutAndReadBack() async throws {
        let xml = """
            <testsuite name="S">
              <testcase classname="pkg.Klass" name="derived"/>
              <testcase classname="same" name="same"/>
              <testcase name="no class"/>
              <testcase classname="pkg.Klass" name="custom">
                <properties><property name="verdict.full_title" value="&quot;Klass &gt; custom&quot;"/></properties>
              </testcase>
            </testsuite>
            """
        let response = try await upload(Data(xml.utf8), "project=full-titles&ci_run_id=\(ciRunID)")
        XCTAssertEqual(response.status, 201, response.text)
        let runID = try XCTUnwrap(try response.json()["run_id"] as? String)

        let db = try PostgresConnection(url: requireDatabaseURL())
        let stored = try db.query("SELECT title, full_title FROM cases WHERE run_id = $1 ORDER BY ordinal", [runID]).rows
        XCTAssertEqual(stored.map { $0["full_title"] }, [nil, nil, nil, "Klass > custom"])

        let cases = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/cases")
        let items = try XCTUnwrap(try cases.json()["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["full_title"] as? String }, ["pkg.Klass.derived", "same", "no class", "Klass > custom"])
        let search = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/cases?q=Klass.der")
        XCTAssertEqual((try search.json()["items"] as? [[String: Any]])?.map { $0["title"] as? String }, ["derived"])
        let caseID = try XCTUnwrap(items.first?["id"] as? String)
        let detail = try await HTTPClient.send("GET", "\(base)/api/v1/cases/\(caseID)")
        XCTAssertEqual(try detail.json()["full_title"] as? String, "pkg.Klass.derived")
    }

    /// Ingest builds a suite's part of the test id and its suite path field once and reuses
    /// them while the suite lasts; each case must still get exactly its own bytes, including a
    /// classname that is canonically equal to the previous one but spelled differently.
    func testTestIDsAndSuitePathsAreEachCasesOwnByteForByte() async throws {
        let xml = """
            <testsuite name="S">
              <testcase classname="Caf&#xE9;" name="one" file="a.py"/>
              <testcase classname="Caf&#xE9;" name="two" file="a.py"/>
              <testcase classname="Cafe&#x301;" name="one" file="a.py"/>
              <testcase classname="Cafe&#x301;" name="one" file="b.py"/>
              <testcase classname="Caf&#xE9;" name="one" file="a.py"/>
            </testsuite>
            """
        let response = try await upload(Data(xml.utf8), "project=identity-bytes&ci_run_id=\(ciRunID)")
        XCTAssertEqual(response.status, 201, response.text)
        let runID = try XCTUnwrap(try response.json()["run_id"] as? String)

        let db = try PostgresConnection(url: requireDatabaseURL())
        let projectID = try XCTUnwrap(try db.query("SELECT project_id FROM runs WHERE id = $1", [runID]).first?["project_id"])
        let rows = try db.query(
            """
            SELECT title, file, project_name, test_id,
                array_to_string(ARRAY(SELECT encode(convert_to(e, 'UTF8'), 'hex') FROM unnest(suite_path) WITH ORDINALITY u(e, n) ORDER BY n), ',') AS path
            FROM cases WHERE run_id = $1 ORDER BY ordinal
            """, [runID]
        ).rows
        let cafe = Data("Caf\u{E9}".utf8).map { String(format: "%02x", $0) }.joined()
        let decomposed = Data("Cafe\u{301}".utf8).map { String(format: "%02x", $0) }.joined()
        let s = Data("S".utf8).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(
            rows.map { $0.string("path") }, ["\(s),\(cafe)", "\(s),\(cafe)", "\(s),\(decomposed)", "\(s),\(decomposed)", "\(s),\(cafe)"])
        XCTAssertEqual(rows.map { $0["file"] }, ["a.py", "a.py", "a.py", "b.py", "a.py"])

        let paths = [["S", "Caf\u{E9}"], ["S", "Caf\u{E9}"], ["S", "Cafe\u{301}"], ["S", "Cafe\u{301}"], ["S", "Caf\u{E9}"]]
        for (index, row) in rows.enumerated() {
            let expected = Identifier.testKey(
                projectID: projectID, file: row["file"], suitePath: paths[index], title: row.string("title"), project: row["project_name"])
            XCTAssertEqual(row.string("test_id"), expected.text, "case \(index)")
            // Its last 80 bits are the hash of the whole name, as before migration 8.
            let key = TestIdentity.key(file: row["file"], suitePath: paths[index], title: row.string("title"), project: row["project_name"])
            XCTAssertEqual(row.string("test_id").suffix(22), Identifier.derived(from: "\(projectID)|\(key)").suffix(22), "case \(index)")
        }
        let ids = rows.map { $0.string("test_id") }
        XCTAssertEqual(ids[0], ids[4], "the same test")
        let derived = try db.query(
            "SELECT count(*) AS n FROM cases WHERE run_id = $1 AND id = case_id(report_id, ordinal)", [runID]
        ).first?.int("n")
        XCTAssertEqual(derived, 5, "ingest and SQL's case_id derive the same case ids")
        XCTAssertEqual(Set(ids).count, 4, "a different spelling or file is a different test: \(ids)")
    }

    /// Test history goes through the spans ingest writes: they must be the islands SQL derives
    /// from the stored cases (migration 9), and a test is found across runs however many spans
    /// of its scope lie between its results (here more than one batch of them).
    func testTestHistoryFindsATestThroughTheSpansIngestWrites() async throws {
        // Two classes alternating: every case starts a span, 100 per class per report.
        let cases = (0..<200).map { "  <testcase classname=\"\($0 % 2 == 0 ? "A" : "B")\" name=\"t\($0)\" time=\"0.\($0 % 10)\"/>" }
        let xml = "<testsuite name=\"S\">\n" + cases.joined(separator: "\n") + "\n</testsuite>\n"
        let db = try PostgresConnection(url: requireDatabaseURL())
        var runs: [String] = []
        for attempt in 1...2 {
            let response = try await upload(Data(xml.utf8), "project=history-spans-\(ciRunID)&ci_run_id=\(ciRunID)-\(attempt)")
            XCTAssertEqual(response.status, 201, response.text)
            runs.append(try XCTUnwrap(try response.json()["run_id"] as? String))
        }
        let reportID = try XCTUnwrap(try db.query("SELECT id FROM reports WHERE run_id = $1", [runs[1]]).first?["id"])
        let spans = {
            try db.query(
                "SELECT first_ordinal, last_ordinal, run_id, scope FROM test_scope_spans WHERE report_id = $1 ORDER BY first_ordinal",
                [reportID]
            ).rows.map { "\($0.string("first_ordinal"))-\($0.string("last_ordinal")) \($0.string("run_id")) \($0.string("scope"))" }
        }
        let written = try spans()
        XCTAssertEqual(written.count, 200)
        try db.query("SELECT rebuild_test_scope_spans(ARRAY[$1::uuid])", [reportID])
        XCTAssertEqual(try spans(), written, "ingest's spans are the ones SQL derives from the cases")

        let first = try db.query(
            "SELECT id, test_id FROM cases WHERE run_id = ANY ($1::uuid[]) AND ordinal = 0 ORDER BY id DESC",
            [
                "{\(runs.joined(separator: ","))}"
            ]
        ).rows
        XCTAssertEqual(first.count, 2)
        let testID = first[0].string("test_id")
        XCTAssertEqual(first[1].string("test_id"), testID, "the same test in both runs")
        let response = try await HTTPClient.send("GET", "\(base)/api/v1/tests/\(testID)/history")
        XCTAssertEqual(response.status, 200, response.text)
        let json = try response.json()
        let items = try XCTUnwrap(json["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["case_id"] as? String }, first.map { $0.string("id") })
        XCTAssertEqual(items.map { $0["run_id"] as? String }, runs.reversed())
        XCTAssertEqual((json["test"] as? [String: Any])?["title"] as? String, "t0")

        var pages: [String] = []
        var cursor: String?
        repeat {
            let page = try await HTTPClient.send(
                "GET", "\(base)/api/v1/tests/\(testID)/history?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(page.status, 200, page.text)
            let items = try XCTUnwrap(try page.json()["items"] as? [[String: Any]])
            XCTAssertEqual(items.count, 1)
            pages += items.compactMap { $0["case_id"] as? String }
            XCTAssertEqual((try page.json()["test"] as? [String: Any])?["title"] as? String, "t0", "described on every page")
            cursor = try page.json()["next_cursor"] as? String
        } while cursor != nil && pages.count < 5
        XCTAssertEqual(pages, first.map { $0.string("id") })
    }

    func testOneShotRetryIsIdempotentAndAShardKeepsItsReport() async throws {
        let report = Data(Fixture.junit(cases: 3, failing: 1).utf8)
        let query = "project=retries&commit=ABCDEF1234&branch=main&ci_run_id=\(ciRunID)&shard=a&total_reports_expected=2"
        let first = try await upload(report, query)
        XCTAssertEqual(first.status, 201, first.text)
        let firstJSON = try first.json()
        XCTAssertEqual((firstJSON["summary"] as? [String: Any])?["failed"] as? Int, 1)
        XCTAssertEqual((firstJSON["run"] as? [String: Any])?["status"] as? String, "running")

        let again = try await upload(report, query)
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(try again.json()["duplicate"] as? Bool, true)
        XCTAssertEqual(try again.json()["report_id"] as? String, firstJSON["report_id"] as? String)

        let other = try await upload(Data(Fixture.junit(cases: 4, failing: 0).utf8), query)
        XCTAssertEqual(other.status, 409, other.text)
        XCTAssertEqual(other.errorCode(), "report_completed")

        let wrongCount = try await upload(
            report, query.replacingOccurrences(of: "total_reports_expected=2", with: "total_reports_expected=5"))
        XCTAssertEqual(wrongCount.status, 409)
        XCTAssertEqual(wrongCount.errorCode(), "expected_reports_mismatch")

        let second = try await upload(report, query.replacingOccurrences(of: "shard=a", with: "shard=b"))
        XCTAssertEqual(second.status, 201, second.text)
        let run = try second.json()["run"] as? [String: Any] ?? [:]
        XCTAssertEqual(run["status"] as? String, "completed")
        XCTAssertEqual(run["reports_completed"] as? Int, 2)
        XCTAssertEqual(run["id"] as? String, firstJSON["run_id"] as? String, "the commit is normalized to lower case")

        let third = try await upload(report, query.replacingOccurrences(of: "shard=a", with: "shard=c"))
        XCTAssertEqual(third.status, 409)
        XCTAssertEqual(third.errorCode(), "too_many_reports")

        let db = try PostgresConnection(url: requireDatabaseURL())
        let counts = try db.query(
            "SELECT count(*) AS cases, count(DISTINCT report_id) AS reports FROM cases WHERE run_id = $1",
            [run["id"] as? String]
        ).first!
        XCTAssertEqual(counts.int("cases"), 6, "two shards of three cases, nothing duplicated")
        XCTAssertEqual(counts.int("reports"), 2)
    }

    func testBadUploadsGetClearErrors() async throws {
        let report = Data(Fixture.junit(cases: 1, failing: 0).utf8)
        let cases: [(query: String, body: Data, headers: [String: String]?, status: Int, code: String)] = [
            ("ci_run_id=x", report, nil, 400, "invalid_parameter"),  // no project
            ("project=p&commit=xyz", report, nil, 400, "invalid_parameter"),
            ("project=p&ci_run_attempt=0", report, nil, 400, "invalid_parameter"),
            ("project=p&colour=red", report, nil, 400, "invalid_parameter"),
            ("project=p&format=allure", report, nil, 400, "unsupported_format"),
            ("project=p&format=playwright", report, nil, 400, "parse_error"),
            ("project=p", Data(), nil, 400, "parse_error"),
            ("project=p", Data("{\"hello\":1}".utf8), nil, 422, "not_a_report"),
            ("project=p", Data("<testsuite><testcase name='a'>".utf8), nil, 400, "parse_error"),
            ("project=p", report, [:], 401, "unauthorized"),
        ]
        for item in cases {
            let response = try await HTTPClient.send(
                "POST", "\(base)/api/v1/reports?\(item.query)", headers: item.headers ?? auth, body: item.body)
            XCTAssertEqual(response.status, item.status, "\(item.query): \(response.text)")
            XCTAssertEqual(response.errorCode(), item.code, item.query)
        }

        let readOnly = try await postJSON("/api/v1/keys", ["name": "reader-\(ciRunID)", "scopes": ["read"]])
        let readKey = try XCTUnwrap(try readOnly.json()["key"] as? String)
        let forbidden = try await HTTPClient.send("POST", "\(base)/api/v1/reports?project=p", headers: ["X-API-Key": readKey], body: report)
        XCTAssertEqual(forbidden.status, 403)

        let tooBig = try await upload(Data(count: 6 * 1024 * 1024 + 1), "project=p")
        XCTAssertEqual(tooBig.status, 413)
    }

    // MARK: Multi-shard

    func testMultiShardFlowThroughPresignedUploads() async throws {
        let identity: [String: Any] = ["project": "shards", "commit": "0123456789abcdef", "ci_run_id": ciRunID, "ci_run_attempt": 2]
        let begun = try await postJSON("/api/v1/reports/begin", identity.merging(["total_reports_expected": 2]) { $1 })
        XCTAssertEqual(begun.status, 201, begun.text)
        let runID = try XCTUnwrap(try begun.json()["run_id"] as? String)
        let again = try await postJSON("/api/v1/reports/begin", identity.merging(["total_reports_expected": 2]) { $1 })
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(try again.json()["run_id"] as? String, runID)
        let disagree = try await postJSON("/api/v1/reports/begin", identity.merging(["total_reports_expected": 3]) { $1 })
        XCTAssertEqual(disagree.status, 409)
        XCTAssertEqual(disagree.errorCode(), "expected_reports_mismatch")

        let screenshot = Data((0..<2048).map { UInt8($0 % 251) })
        let report = Data(Fixture.playwright(screenshotPath: "/home/ci/work/app/test-results/login/failed.png").utf8)
        let files: [[String: Any]] = [
            ["name": "results.json", "kind": "report", "size": report.count, "sha256": Fixture.sha256(report)],
            [
                "name": "test-results/login/failed.png", "kind": "attachment", "size": screenshot.count,
                "sha256": Fixture.sha256(screenshot),
            ],
        ]
        let registered = try await postJSON("/api/v1/reports/register", ["run_id": runID, "shard": "1", "files": files])
        XCTAssertEqual(registered.status, 201, registered.text)
        let registration = try registered.json()
        let reportID = try XCTUnwrap(registration["report_id"] as? String)
        let uploads = try XCTUnwrap(registration["uploads"] as? [[String: Any]])
        XCTAssertEqual(uploads.count, 2)
        let completeURL = "\(base)/api/v1/reports/\(reportID)/complete"

        let early = try await HTTPClient.send("POST", completeURL, headers: auth)
        XCTAssertEqual(early.status, 409, early.text)
        XCTAssertEqual(early.errorCode(), "file_not_uploaded")

        let reportURL = try XCTUnwrap(uploads.first { $0["kind"] as? String == "report" }?["url"] as? String)
        let shotURL = try XCTUnwrap(uploads.first { $0["kind"] as? String == "attachment" }?["url"] as? String)
        var tampered = report
        tampered[tampered.count - 2] = UInt8(ascii: " ")
        let put1 = try await HTTPClient.send("PUT", reportURL, body: tampered)
        XCTAssertEqual(put1.status, 200, put1.text)
        let put2 = try await HTTPClient.send("PUT", shotURL, body: screenshot)
        XCTAssertEqual(put2.status, 200, put2.text)
        let mismatch = try await HTTPClient.send("POST", completeURL, headers: auth)
        XCTAssertEqual(mismatch.status, 422, mismatch.text)
        XCTAssertEqual(mismatch.errorCode(), "checksum_mismatch")

        let put3 = try await HTTPClient.send("PUT", reportURL, body: report)

        XCTAssertEqual(put3.status, 200, put3.text)
        let completed = try await HTTPClient.send("POST", completeURL, headers: auth)
        XCTAssertEqual(completed.status, 200, completed.text)
        let summary = try completed.json()
        XCTAssertEqual((summary["summary"] as? [String: Any])?["tests"] as? Int, 2)
        XCTAssertEqual((summary["summary"] as? [String: Any])?["flaky"] as? Int, 1)
        XCTAssertEqual((summary["run"] as? [String: Any])?["status"] as? String, "running")
        XCTAssertEqual(summary["duplicate"] as? Bool, false)

        let repeated = try await HTTPClient.send("POST", completeURL, headers: auth)
        XCTAssertEqual(repeated.status, 200)
        XCTAssertEqual(try repeated.json()["duplicate"] as? Bool, true)
        let reRegistered = try await postJSON("/api/v1/reports/register", ["run_id": runID, "shard": "1", "files": files])
        XCTAssertEqual(reRegistered.status, 200, reRegistered.text)
        XCTAssertEqual(try reRegistered.json()["status"] as? String, "completed")
        XCTAssertEqual((try reRegistered.json()["uploads"] as? [Any])?.count, 0)

        let db = try PostgresConnection(url: requireDatabaseURL())
        let attachment = try db.query(
            "SELECT object_key, size, kind FROM attachments WHERE report_id = $1 AND case_id IS NOT NULL", [reportID]
        ).first
        XCTAssertEqual(attachment?["object_key"], "reports/\(reportID)/test-results/login/failed.png", "matched by path suffix")
        XCTAssertEqual(attachment?.int("size"), screenshot.count)
        XCTAssertEqual(attachment?["kind"], "screenshot")
        let attempts = try db.query(
            "SELECT a.attempt, a.status FROM attempts a JOIN cases c ON c.id = a.case_id WHERE c.report_id = $1 AND c.status = 'flaky' ORDER BY a.attempt",
            [reportID])
        XCTAssertEqual(attempts.rows.map { $0.string("status") }, ["failed", "passed"], "the flaky test's two attempts")
        let quiet = try db.query(
            "SELECT count(*) AS n FROM attempts a JOIN cases c ON c.id = a.case_id WHERE c.report_id = $1 AND c.status = 'passed'",
            [reportID])
        XCTAssertEqual(quiet.first?.int("n"), 0, "a single quiet attempt is the case itself")

        // The second shard completes the run.
        let second = Data(Fixture.junit(cases: 5, failing: 2).utf8)
        let shard2 = try await postJSON(
            "/api/v1/reports/register",
            [
                "run_id": runID, "shard": "2", "format": "junit",
                "files": [["name": "junit.xml", "kind": "report", "size": second.count, "sha256": Fixture.sha256(second)]],
            ])
        XCTAssertEqual(shard2.status, 201, shard2.text)
        let shard2JSON = try shard2.json()
        let putURL = try XCTUnwrap((shard2JSON["uploads"] as? [[String: Any]])?.first?["url"] as? String)
        let put4 = try await HTTPClient.send("PUT", putURL, body: second)
        XCTAssertEqual(put4.status, 200, put4.text)
        let done = try await HTTPClient.send("POST", "\(base)\(shard2JSON["complete_url"] as? String ?? "")", headers: auth)
        XCTAssertEqual(done.status, 200, done.text)
        let run = try done.json()["run"] as? [String: Any] ?? [:]
        XCTAssertEqual(run["status"] as? String, "completed")
        let totals = try db.query("SELECT tests, passed, failed, flaky, status FROM runs WHERE id = $1", [runID]).first!
        XCTAssertEqual(totals.int("tests"), 7)
        XCTAssertEqual(totals.int("failed"), 2)
        XCTAssertEqual(totals.int("flaky"), 1)

        let extra = try await postJSON(
            "/api/v1/reports/register",
            [
                "run_id": runID, "shard": "3",
                "files": [["name": "x.xml", "kind": "report", "size": 1, "sha256": String(repeating: "0", count: 64)]],
            ])
        XCTAssertEqual(extra.status, 409)
        XCTAssertEqual(extra.errorCode(), "too_many_reports")
    }

    /// A report over the 32 MiB that are parsed from memory streams through the function's
    /// scratch directory instead, with the same checks and totals.
    func testReportLargerThanTheInMemoryLimitStreamsThroughScratch() async throws {
        var report = Data()
        var cases = 0
        for part in 0..<12 {
            let xml = Fixture.junit(cases: 6000, failing: 1000, suite: "com.example.large.p\(part)", stackLines: 60)
            let body = xml[xml.range(of: "<testsuite ")!.lowerBound...]
            report.append(contentsOf: Data((part == 0 ? "<?xml version=\"1.0\"?>\n<testsuites>\n" : "").utf8))
            report.append(contentsOf: Data(body.utf8))
            cases += 6000
        }
        report.append(contentsOf: Data("</testsuites>\n".utf8))
        XCTAssertGreaterThan(report.count, 32 * 1024 * 1024)

        let begun = try await postJSON(
            "/api/v1/reports/begin", ["project": "large-report", "ci_run_id": ciRunID, "total_reports_expected": 1])
        let runID = try XCTUnwrap(try begun.json()["run_id"] as? String)
        let registered = try await postJSON(
            "/api/v1/reports/register",
            [
                "run_id": runID, "shard": "1",
                "files": [["name": "junit.xml", "kind": "report", "size": report.count, "sha256": Fixture.sha256(report)]],
            ])
        XCTAssertEqual(registered.status, 201, registered.text)
        let registration = try registered.json()
        let putURL = try XCTUnwrap((registration["uploads"] as? [[String: Any]])?.first?["url"] as? String)
        let completeURL = "\(base)\(registration["complete_url"] as? String ?? "")"

        let longer = try await HTTPClient.send("PUT", putURL, body: report + Data(" ".utf8))
        XCTAssertEqual(longer.status, 200)
        let mismatch = try await HTTPClient.send("POST", completeURL, headers: auth)
        XCTAssertEqual(mismatch.status, 422, mismatch.text)
        XCTAssertEqual(mismatch.errorCode(), "size_mismatch")

        let put = try await HTTPClient.send("PUT", putURL, body: report)
        XCTAssertEqual(put.status, 200)
        let completed = try await HTTPClient.send("POST", completeURL, headers: auth)
        XCTAssertEqual(completed.status, 200, completed.text)
        let summary = try XCTUnwrap(try completed.json()["summary"] as? [String: Any])
        XCTAssertEqual(summary["tests"] as? Int, cases)
        XCTAssertEqual(summary["failed"] as? Int, 12 * 1000)
    }

    func testShardsCompletingConcurrentlyAddUp() async throws {
        let shards = 6
        let begun = try await postJSON(
            "/api/v1/reports/begin", ["project": "parallel", "ci_run_id": ciRunID, "total_reports_expected": shards])
        let runID = try XCTUnwrap(try begun.json()["run_id"] as? String)
        var completeURLs: [String] = []
        for shard in 0..<shards {
            let bytes = Data(Fixture.junit(cases: 50 + shard, failing: shard, suite: "shard\(shard)").utf8)
            let registered = try await postJSON(
                "/api/v1/reports/register",
                [
                    "run_id": runID, "shard": "\(shard)",
                    "files": [["name": "junit.xml", "kind": "report", "size": bytes.count, "sha256": Fixture.sha256(bytes)]],
                ])
            let json = try registered.json()
            let url = try XCTUnwrap((json["uploads"] as? [[String: Any]])?.first?["url"] as? String)
            let put5 = try await HTTPClient.send("PUT", url, body: bytes)
            XCTAssertEqual(put5.status, 200, put5.text)
            completeURLs.append("\(base)\(json["complete_url"] as? String ?? "")")
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for url in completeURLs { group.addTask { try await HTTPClient.send("POST", url, headers: self.auth).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: shards))
        let db = try PostgresConnection(url: requireDatabaseURL())
        let run = try db.query("SELECT status, tests, failed, reports_completed FROM runs WHERE id = $1", [runID]).first!
        XCTAssertEqual(run["status"], "completed")
        XCTAssertEqual(run.int("reports_completed"), shards)
        XCTAssertEqual(run.int("tests"), (0..<shards).reduce(0) { $0 + 50 + $1 })
        XCTAssertEqual(run.int("failed"), (0..<shards).reduce(0, +))
    }

    func testRegisterRejectsBadFileLists() async throws {
        let begun = try await postJSON("/api/v1/reports/begin", ["project": "register", "ci_run_id": ciRunID, "total_reports_expected": 1])
        let runID = try XCTUnwrap(try begun.json()["run_id"] as? String)
        let good: [String: Any] = ["name": "r.xml", "kind": "report", "size": 10, "sha256": String(repeating: "a", count: 64)]
        let bad: [(files: [[String: Any]], field: String)] = [
            ([], "files"),
            ([good.merging(["kind": "attachment"]) { $1 }], "files"),
            ([good, good], "files"),
            ([good.merging(["name": "../etc/passwd"]) { $1 }], "files[0].name"),
            ([good.merging(["sha256": "xyz"]) { $1 }], "files[0].sha256"),
            ([good.merging(["size": -1]) { $1 }], "files[0].size"),
        ]
        for item in bad {
            let response = try await postJSON("/api/v1/reports/register", ["run_id": runID, "shard": "1", "files": item.files])
            XCTAssertEqual(response.status, 400, response.text)
            XCTAssertEqual(response.errorCode(), "invalid_parameter")
            XCTAssertTrue(response.text.contains(item.field), "\(item.field): \(response.text)")
        }
        let unknownRun = try await postJSON(
            "/api/v1/reports/register", ["run_id": UUID().uuidString.lowercased(), "shard": "1", "files": [good]])
        XCTAssertEqual(unknownRun.status, 404)
        let badID = try await HTTPClient.send("POST", "\(base)/api/v1/reports/not-a-uuid/complete", headers: auth)
        XCTAssertEqual(badID.status, 400)
        let missingBegin = try await postJSON("/api/v1/reports/begin", ["project": "register", "ci_run_id": ciRunID])
        XCTAssertEqual(missingBegin.status, 400)
    }

    // MARK: Reaper

    func testReaperMarksIdleRunsIncompleteAndALateUploadReopensThem() async throws {
        let begun = try await postJSON("/api/v1/reports/begin", ["project": "reaper", "ci_run_id": ciRunID, "total_reports_expected": 2])
        let runID = try XCTUnwrap(try begun.json()["run_id"] as? String)
        let fresh = try await postJSON(
            "/api/v1/reports/begin", ["project": "reaper", "ci_run_id": "\(ciRunID)-fresh", "total_reports_expected": 1])
        let freshID = try XCTUnwrap(try fresh.json()["run_id"] as? String)
        let db = try PostgresConnection(url: requireDatabaseURL())
        try db.query("UPDATE runs SET last_activity_at = now() - interval '61 minutes' WHERE id = $1", [runID])

        let fired = try await HTTPClient.send("POST", "\(base)/_emulator/schedules/RunsReapFunction.EveryFiveMinutes/fire")
        XCTAssertEqual(fired.status, 200, fired.text)
        var status = ""
        for _ in 0..<50 {
            status = try db.query("SELECT status FROM runs WHERE id = $1", [runID]).first!.string("status")
            if status == "incomplete" { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTAssertEqual(status, "incomplete")
        XCTAssertEqual(try db.query("SELECT status FROM runs WHERE id = $1", [freshID]).first?["status"], "running")

        let late = try await upload(
            Data(Fixture.junit(cases: 2, failing: 0).utf8), "project=reaper&ci_run_id=\(ciRunID)&shard=1&total_reports_expected=2")
        XCTAssertEqual(late.status, 201, late.text)
        XCTAssertEqual((try late.json()["run"] as? [String: Any])?["status"] as? String, "running")
    }
}

/// Report files written for the tests.
enum Fixture {
    static func sha256(_ data: Data) -> String { Crypto.hex(Crypto.sha256(Array(data))) }

    static func junit(cases: Int, failing: Int, suite: String = "com.example.Suite", stackLines: Int = 1) -> String {
        var xml = "<?xml version=\"1.0\"?>\n<testsuite name=\"\(suite)\" tests=\"\(cases)\">\n"
        for i in 0..<cases {
            xml += "<testcase classname=\"\(suite)\" name=\"test\(i)\" time=\"0.\(100 + i)\">"
            if i < failing {
                let stack = (0..<stackLines).map { "at \(suite).test\(i)(Suite.java:\(i + $0))" }.joined(separator: "\n")
                xml += "<failure message=\"boom \(i)\" type=\"AssertionError\">\(stack)</failure>"
            }
            xml += "</testcase>\n"
        }
        return xml + "</testsuite>\n"
    }

    /// A Playwright report with one flaky test (failed, then passed; the failure has a
    /// screenshot) and one passing test.
    static func playwright(screenshotPath: String) -> String {
        """
        {"config": {"version": "1.49.0", "rootDir": "/home/ci/work/app"},
         "suites": [{"title": "login.spec.ts", "file": "login.spec.ts", "line": 0, "column": 0, "specs": [
           {"title": "logs in", "file": "login.spec.ts", "line": 3, "column": 1, "ok": true, "tags": [], "id": "a1",
            "tests": [{"projectName": "chromium", "expectedStatus": "passed", "status": "flaky", "annotations": [],
              "results": [
                {"retry": 0, "status": "failed", "duration": 1200, "startTime": "2026-11-21T10:00:00.000Z",
                 "errors": [{"message": "expected 200, got 500"}], "error": {"message": "expected 200, got 500", "stack": "at login.spec.ts:5"},
                 "attachments": [{"name": "screenshot", "contentType": "image/png", "path": "\(screenshotPath)"}]},
                {"retry": 1, "status": "passed", "duration": 900, "startTime": "2026-11-21T10:00:02.000Z", "errors": [], "attachments": []}
              ]}]},
           {"title": "shows errors", "file": "login.spec.ts", "line": 9, "column": 1, "ok": true, "tags": [], "id": "a2",
            "tests": [{"projectName": "chromium", "expectedStatus": "passed", "status": "expected", "annotations": [],
              "results": [{"retry": 0, "status": "passed", "duration": 300, "startTime": "2026-11-21T10:00:03.000Z", "errors": [], "attachments": []}]}]}
         ]}],
         "errors": [], "stats": {"startTime": "2026-11-21T10:00:00.000Z", "duration": 3500, "expected": 1, "unexpected": 0, "flaky": 1, "skipped": 0}}
        """
    }
}
