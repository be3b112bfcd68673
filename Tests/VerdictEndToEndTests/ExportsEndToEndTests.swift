import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import VerdictCore
import VerdictDB
import VerdictReports
import VerdictTestSupport
import XCTest

/// Run exports through the real emulator: JUnit XML and CTRF of stored runs, the lossless round
/// trip (ingesting an export gives back the same cases), and large exports served from S3.
final class ExportsEndToEndTests: TemplateEmulatorTestCase {
    let ciRunID = UUID().uuidString

    func upload(_ bytes: Data, _ query: String) async throws -> [String: Any] {
        let response = try await HTTPClient.send(
            "POST", "\(base)/api/v1/reports?\(query)", headers: ["X-API-Key": Self.developmentKey], body: bytes)
        XCTAssertEqual(response.status, 201, response.text)
        return try response.json()
    }

    func counts(_ uploaded: [String: Any]) -> [Int] {
        let summary = uploaded["summary"] as? [String: Any] ?? [:]
        return ["tests", "passed", "failed", "skipped", "errors", "flaky"].map { summary[$0] as? Int ?? -1 }
    }

    /// What must survive an export: per test (by its stable id), status, raw status, attempts with
    /// their statuses and durations (to the millisecond).
    func fingerprint(run runID: String, _ db: PostgresConnection) throws -> [String] {
        try db.query(
            """
            SELECT c.test_id, c.status, c.raw_status, c.attempt_count, round(c.duration_ms::numeric, 0) AS duration,
                coalesce(c.skip_reason, '') AS skip_reason,
                coalesce((SELECT string_agg(a.attempt || ':' || a.status || ':' || coalesce(round(a.duration_ms::numeric, 0)::text, '-'), ','
                          ORDER BY a.attempt) FROM attempts a WHERE a.case_id = c.id AND c.attempt_count > 1), '') AS attempts
            FROM cases c WHERE c.run_id = $1
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            """, [runID]
        ).rows.map { row in row.values.map { $0 ?? "∅" }.joined(separator: "|") }
    }

    func testEveryCorpusReportSurvivesAJUnitRoundTrip() async throws {
        let db = try PostgresConnection(url: requireDatabaseURL())
        var checked = 0
        let corpus = try Corpus.load()
        for (index, file) in corpus.files().map(corpus.url).enumerated() {
            let bytes = try Data(contentsOf: file)
            guard (try? ReportParser.parse(Array(bytes))) != nil else { continue }
            let original = try await upload(bytes, "project=roundtrip&ci_run_id=\(ciRunID)-\(index)")
            let runID = try XCTUnwrap(original["run_id"] as? String)

            let export = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/junit.xml")
            XCTAssertEqual(export.status, 200, "\(file.path): \(export.text.prefix(300))")
            XCTAssertEqual(export.headers["content-type"], "application/xml; charset=utf-8")
            // Ingest records whether the cases came in suite order; without that record (a
            // report stored before it), the export works it out and must write the same document.
            try db.query("UPDATE reports SET cases_in_suite_order = NULL WHERE run_id = $1", [runID])
            let unrecorded = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/junit.xml")
            XCTAssertEqual(unrecorded.body, export.body, "\(file.path): export without the recorded case order")
            let again = try await upload(export.body, "project=roundtrip&ci_run_id=\(ciRunID)-\(index)-again&format=junit")
            let againID = try XCTUnwrap(again["run_id"] as? String)

            XCTAssertEqual(counts(again), counts(original), "\(file.path): totals")
            XCTAssertEqual(try fingerprint(run: againID, db), try fingerprint(run: runID, db), "\(file.path): cases")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100)
    }

    func testCTRFExportKeepsEveryCaseAndStatus() async throws {
        let report = Data(Fixture.playwright(screenshotPath: "/tmp/x.png").utf8)
        let original = try await upload(report, "project=ctrf&ci_run_id=\(ciRunID)")
        let runID = try XCTUnwrap(original["run_id"] as? String)
        let export = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(runID)/ctrf.json")
        XCTAssertEqual(export.status, 200, export.text)
        let document = try export.json()
        XCTAssertEqual(document["reportFormat"] as? String, "CTRF")
        let results = try XCTUnwrap(document["results"] as? [String: Any])
        let tests = try XCTUnwrap(results["tests"] as? [[String: Any]])
        XCTAssertEqual(tests.count, 2)
        XCTAssertEqual(tests.filter { $0["flaky"] as? Bool == true }.count, 1)
        XCTAssertEqual((results["summary"] as? [String: Any])?["tests"] as? Int, 2)

        let again = try await upload(export.body, "project=ctrf&ci_run_id=\(ciRunID)-again")
        XCTAssertEqual(counts(again), counts(original))
    }

    /// Over the 4 MB a response may carry, an export goes to the bucket: in one PUT below the
    /// 8 MiB part size, as a multipart upload (parts sent while the rest is written) above it.
    func testLargeExportIsServedFromTheBucket() async throws {
        for (shards, minimumBytes) in [(2, 4 * 1024 * 1024), (4, 8 * 1024 * 1024)] {
            var cases = 0
            var runID = ""
            let ci = "\(ciRunID)-\(shards)"
            for shard in 0..<shards {
                // About 3 MB each.
                let report = Data(Fixture.junit(cases: 6000, failing: 1000, suite: "com.example.big.s\(shard)", stackLines: 60).utf8)
                XCTAssertLessThan(report.count, 6 * 1024 * 1024)
                let uploaded = try await upload(
                    report, "project=large-export&ci_run_id=\(ci)&shard=\(shard)&total_reports_expected=\(shards)")
                runID = try XCTUnwrap(uploaded["run_id"] as? String)
                cases += 6000
            }

            for kind in ["junit.xml", "ctrf.json"] {
                let redirect = try await NoRedirects.send("\(base)/api/v1/runs/\(runID)/\(kind)")
                XCTAssertEqual(redirect.status, 302, "\(kind) of \(shards) shards goes through S3")
                let location = try XCTUnwrap(redirect.headers["location"])
                XCTAssertTrue(location.contains("/_s3/") && location.contains("X-Amz-Signature="), location)
                let download = try await HTTPClient.send("GET", location)
                XCTAssertEqual(download.status, 200)
                XCTAssertGreaterThan(download.body.count, minimumBytes, kind)
                let etag = download.headers["etag"] ?? ""
                XCTAssertEqual(
                    etag.contains("-"), download.body.count > 8 * 1024 * 1024, "multipart ETag \(etag) for \(download.body.count) bytes")
                XCTAssertEqual(try ReportParser.parse(Array(download.body)).totals.tests, cases, kind)

                let cached = try await NoRedirects.send("\(base)/api/v1/runs/\(runID)/\(kind)")
                XCTAssertEqual(cached.status, 302, "the stored export is served again")
                XCTAssertEqual(cached.headers["location"].map { $0.contains("/exports/") }, true)
            }
        }
    }

    /// The JUnit export reads a passed case with nothing more to say as a `PlainCase`; anything
    /// else comes back in full, and both read back as what the CTRF export gets.
    func testStoredCasesReadBackPlainOnlyWhenThatIsAllTheySay() async throws {
        let report = """
            <testsuite name="S">
              <testcase classname="C" name="plain" time="0.5"/>
              <testcase classname="C" name="with property" time="0.5"><properties><property name="k" value="v"/></properties></testcase>
              <testcase classname="C" name="failed" time="0.5"><failure message="no">at C.java:1</failure></testcase>
              <testcase classname="C" name="skipped"><skipped message="later"/></testcase>
              <testcase classname="C" name="with output" time="0.5"><system-out>hello</system-out></testcase>
              <testcase classname="C" name="also plain" time="1.25" file="c.py" line="3"/>
            </testsuite>
            """
        let uploaded = try await upload(Data(report.utf8), "project=plain-read&ci_run_id=\(ciRunID)")
        let runID = try XCTUnwrap(uploaded["run_id"] as? String)
        let reader = RunContentReader(db: try PostgresConnection(url: requireDatabaseURL()))
        let header = try reader.header(try XCTUnwrap(RunID(runID)), as: .anonymous)
        var records: [CaseRecord] = []
        try reader.forEachSuite(of: header) { _, cases in records += cases }
        var full: [ParsedCase] = []
        try reader.forEachCase(of: header) { full.append($0) }

        let kinds = records.map { record -> String in
            switch record {
            case .plain(let plain): "plain \(plain.title)"
            case .full(let testCase): "full \(testCase.title)"
            }
        }
        XCTAssertEqual(
            kinds, ["plain plain", "full with property", "full failed", "full skipped", "full with output", "plain also plain"])
        XCTAssertEqual(records.map(ParsedCase.init), full)
        XCTAssertEqual(full.first?.attempts, [ParsedAttempt(index: 0, status: .passed, durationMs: 500)])
    }

    func testExportOfAnUnknownRunIs404() async throws {
        let missing = try await HTTPClient.send("GET", "\(base)/api/v1/runs/\(UUID().uuidString.lowercased())/junit.xml")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode(), "not_found")
        let bad = try await HTTPClient.send("GET", "\(base)/api/v1/runs/nope/ctrf.json")
        XCTAssertEqual(bad.status, 400)
    }
}

/// Requests whose redirects are returned rather than followed.
enum NoRedirects {
    final class Delegate: NSObject, URLSessionTaskDelegate {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    static let session = URLSession(configuration: .ephemeral, delegate: Delegate(), delegateQueue: nil)

    static func send(_ url: String) async throws -> HTTPResult {
        let (data, response) = try await session.data(from: URL(string: url)!)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return HTTPResult(status: http.statusCode, headers: headers, body: data)
    }
}
