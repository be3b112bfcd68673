import Foundation
import VerdictJSON
import XCTest

@testable import VerdictCLIKit

/// The orchestration and upload endpoints in memory: hands out units two at a time, records
/// every call, accepts uploads.
final class FakeOrchestrator: HTTPTransport {
    var pending: [String]
    var batchSize = 2
    var waitsBeforeDone = 0
    var calls: [(path: String, body: JSON)] = []
    var puts: [String: [UInt8]] = [:]
    var leases = 0
    /// Runs when a heartbeat arrives (the signal test sends itself SIGTERM here).
    var onHeartbeat: () -> Void = {}
    /// Leases whose heartbeat answers 409 `lease_ended` (the run was cancelled, or the lease ran
    /// out and went elsewhere).
    var endedLeases: Set<String> = []

    init(units: [String]) {
        pending = units
    }

    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPReply {
        if request.method == "PUT" {
            if case .file(let path, _) = request.body { puts[request.url] = Array(FileManager.default.contents(atPath: path) ?? Data()) }
            return HTTPReply(status: 200)
        }
        let path = String(request.url.dropFirst("http://api.test".count))
        let body = (try? JSON.parse(request.bodyBytes)) ?? .null
        calls.append((path, body))
        switch path {
        case "/api/v1/orchestration/checkout":
            if pending.isEmpty {
                if waitsBeforeDone > 0 {
                    waitsBeforeDone -= 1
                    return .json(200, ["units": [], "done": false, "retry_after_ms": 10])
                }
                return .json(200, ["units": [], "done": true])
            }
            let batch = Array(pending.prefix(batchSize))
            pending.removeFirst(batch.count)
            leases += 1
            return .json(
                200,
                [
                    "lease_id": .string("lease-\(leases)"), "deadline": "2999-01-01T00:00:00Z", "done": false,
                    "units": .array(batch.map { ["id": .string($0), "attempt": 1, "retest": false] }),
                ])
        case "/api/v1/orchestration/heartbeat":
            onHeartbeat()
            if let lease = body["lease_id"]?.stringValue, endedLeases.contains(lease) {
                return .json(409, ["error": ["code": "lease_ended", "message": .string("lease \(lease) is expired; check out again")]])
            }
            return .json(200, ["deadline": "2999-01-01T00:00:00Z"])
        case "/api/v1/orchestration/complete":
            return .json(200, ["accepted": .int(Int64(body["results"]?.arrayValue?.count ?? 0)), "late": 0])
        case "/api/v1/orchestration/release":
            return .json(200, [:])
        case "/api/v1/reports/register":
            let files = body["files"]?.arrayValue ?? []
            return .json(
                201,
                [
                    "report_id": "rep", "run_id": "run-1", "shard": body["shard"] ?? .null, "status": "registered",
                    "uploads": .array(
                        files.map { file in
                            [
                                "name": file["name"] ?? .null, "kind": file["kind"] ?? .null, "method": "PUT",
                                "url": .string("http://storage.test/\(file["name"]?.stringValue ?? "")"),
                            ]
                        }), "expires_in": 3600, "complete_url": "/api/v1/reports/rep/complete",
                ])
        case "/api/v1/reports/rep/complete":
            return .json(200, ["shard": "x", "format": "junit", "summary": ["tests": 1, "passed": 1], "duplicate": false])
        default:
            return .json(404, ["error": ["code": "not_found", "message": .string(path)]])
        }
    }

    func bodies(_ path: String) -> [JSON] { calls.filter { $0.path == path }.map(\.body) }
}

final class WorkerTests: XCTestCase {
    /// A test tool: writes a JUnit report to $VERDICT_REPORT with one case per argument, failing
    /// the ones whose name holds "bad", and exits 1 when any failed.
    static let tool = """
        #!/bin/sh
        status=0
        {
          echo '<testsuite name="fake">'
          for unit in "$@"; do
            case "$unit" in
              *bad*) echo "<testcase file=\\"$unit\\" name=\\"t\\" time=\\"0.25\\"><failure message=\\"boom in $unit\\"/></testcase>"; status=1 ;;
              *) echo "<testcase file=\\"$unit\\" name=\\"t\\" time=\\"0.5\\"/>" ;;
            esac
          done
          echo '</testsuite>'
        } > "$VERDICT_REPORT"
        echo "$VERDICT_WORKER $VERDICT_BATCH $*" >> "$(dirname "$VERDICT_REPORT")/calls.txt"
        exit $status
        """

    func makeWorker(
        _ fake: FakeOrchestrator, tree: TemporaryTree, command: [String], report: String?, lease: Int = 300, labels: [String: String] = [:]
    ) -> Worker {
        let client = PauseRecorder().client(fake)
        var environment = Environment.current()
        environment.values["PATH"] = "/usr/bin:/bin"
        var settings = WorkerSettings(
            runID: "run-1", worker: "w1", template: CommandTemplate(arguments: command, reportPattern: report), format: nil,
            attachmentsDirectory: nil, uploadReports: true, leaseSeconds: lease, environment: environment, gracePeriodSeconds: 5,
            pollSeconds: 0.05)
        settings.labels = labels
        return Worker(
            orchestration: OrchestrationAPI(client: client), uploader: ReportUploader(client: client), signals: SignalInbox(),
            settings: settings)
    }

    func testTheLoopRunsEveryBatchCompletesItsResultsAndUploadsItsReport() throws {
        let tree = try TemporaryTree(["tool.sh": Self.tool])
        try tree.makeExecutable("tool.sh")
        let fake = FakeOrchestrator(units: ["a.py", "bad.py", "c.py"])
        fake.waitsBeforeDone = 2
        let worker = makeWorker(fake, tree: tree, command: [tree.path + "/tool.sh", "{}"], report: tree.path + "/out/{worker}-{batch}.xml")
        try FileManager.default.createDirectory(atPath: tree.path + "/out", withIntermediateDirectories: true)

        XCTAssertEqual(worker.run(), ExitStatus.testsFailed)
        XCTAssertEqual(try tree.read("out/calls.txt"), "w1 1 a.py bad.py\nw1 2 c.py\n")
        let completions = fake.bodies("/api/v1/orchestration/complete")
        XCTAssertEqual(completions.count, 2)
        XCTAssertEqual(completions[0]["lease_id"], "lease-1")
        XCTAssertEqual(
            completions[0]["results"],
            [
                ["unit": "a.py", "status": "passed", "duration_ms": 500],
                ["unit": "bad.py", "status": "failed", "duration_ms": 250, "error": "t: boom in bad.py"],
            ])
        XCTAssertEqual(completions[1]["results"]?[0]?["status"], "passed")
        XCTAssertEqual(fake.bodies("/api/v1/orchestration/checkout").count, 5, "two batches, two waits, then done")
        let shards = fake.bodies("/api/v1/reports/register").map { $0["shard"]?.stringValue }
        XCTAssertEqual(shards, ["w1.1", "w1.2"])
        let uploaded = try XCTUnwrap(fake.puts["http://storage.test/w1-2.xml"])
        XCTAssertEqual(String(decoding: uploaded, as: UTF8.self), try tree.read("out/w1-2.xml"))
        XCTAssertEqual(worker.tally.counts, [.passed: 2, .failed: 1])
    }

    func testAWorkersLabelsGoWithEveryCheckout() throws {
        let tree = try TemporaryTree(["tool.sh": Self.tool])
        try tree.makeExecutable("tool.sh")
        let fake = FakeOrchestrator(units: ["a.py"])
        let worker = makeWorker(fake, tree: tree, command: ["/bin/true"], report: nil, labels: ["os": "linux", "gpu": "a100"])
        XCTAssertEqual(worker.run(), ExitStatus.success)
        let checkouts = fake.bodies("/api/v1/orchestration/checkout")
        XCTAssertFalse(checkouts.isEmpty)
        for body in checkouts { XCTAssertEqual(body["labels"], ["gpu": "a100", "os": "linux"]) }
    }

    func testLabelsAreKeyEqualsValue() throws {
        XCTAssertEqual(try WorkerLabels.parse(["os=linux", "tag=a=b", "empty="]), ["os": "linux", "tag": "a=b", "empty": ""])
        XCTAssertEqual(WorkerLabels.split("os=linux, ,gpu=a100"), ["os=linux", "gpu=a100"])
        XCTAssertThrowsError(try WorkerLabels.parse(["linux"]))
        XCTAssertThrowsError(try WorkerLabels.parse(["=linux"]))
    }

    func testShardNamesStayWithinTheAPIsLimit() {
        XCTAssertEqual(Worker.shardName(worker: "node-3", batch: 12), "node-3.12")
        let long = Worker.shardName(worker: String(repeating: "w", count: 300), batch: 12345)
        XCTAssertLessThanOrEqual(long.count, 100)
        XCTAssertTrue(long.hasSuffix("w.12345"))
    }

    func testACommandThatWritesNoReportErrorsItsUnitsAndTheLoopGoesOn() throws {
        let tree = try TemporaryTree()
        let fake = FakeOrchestrator(units: ["a", "b", "c"])
        let worker = makeWorker(fake, tree: tree, command: ["sh", "-c", "exit 3", "sh"], report: tree.path + "/never.xml")
        XCTAssertEqual(worker.run(), ExitStatus.testsFailed)
        let results = fake.bodies("/api/v1/orchestration/complete").flatMap { $0["results"]?.arrayValue ?? [] }
        XCTAssertEqual(results.map { $0["status"] }, ["errored", "errored", "errored"])
        XCTAssertEqual(results[0]["error"]?.stringValue, "no report at \(tree.path)/never.xml; the command ended with exit status 3")
        XCTAssertTrue(fake.bodies("/api/v1/reports/register").isEmpty, "nothing to upload")
    }

    func testWithoutAReportTheExitStatusDecidesAndACleanRunExitsZero() throws {
        let tree = try TemporaryTree()
        let fake = FakeOrchestrator(units: ["a", "b", "c", "d", "e"])
        fake.batchSize = 3
        XCTAssertEqual(makeWorker(fake, tree: tree, command: ["true"], report: nil).run(), ExitStatus.success)
        XCTAssertEqual(fake.bodies("/api/v1/orchestration/complete").count, 2)
    }

    func testASignalIsPassedToTheCommandAndTheLeaseIsGivenBack() throws {
        let tree = try TemporaryTree()
        let fake = FakeOrchestrator(units: ["a", "b", "c"])
        // The heartbeat (every second with a two-second lease) stands in for Ctrl-C: SIGTERM to
        // this thread, which blocks it, so the worker takes it like a terminal's signal.
        fake.onHeartbeat = { pthread_kill(pthread_self(), SIGTERM) }
        let marker = tree.path + "/terminated"
        let worker = makeWorker(
            fake, tree: tree, command: ["sh", "-c", "trap 'echo term > \(marker); exit 143' TERM; sleep 20 & wait", "sh"], report: nil,
            lease: 2)
        let started = Date()
        XCTAssertEqual(worker.run(), ExitStatus.interrupted(by: SIGTERM))
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the command stopped at the signal, not after sleeping")
        XCTAssertEqual(try tree.read("terminated"), "term\n")
        XCTAssertEqual(fake.bodies("/api/v1/orchestration/release").map { $0["lease_id"] }, ["lease-1"])
        XCTAssertTrue(fake.bodies("/api/v1/orchestration/complete").isEmpty)
        XCTAssertEqual(fake.pending, ["c"], "no further checkout")
    }

    func testALeaseTheOrchestratorEndedStopsTheCommandAndTheWorkerTakesTheNextBatch() throws {
        let tree = try TemporaryTree()
        let fake = FakeOrchestrator(units: ["a", "b", "c"])
        fake.endedLeases = ["lease-1"]
        let marker = tree.path + "/terminated"
        // The first batch would sleep 20 s; the heartbeat after a second finds its lease over.
        let script = "case \"$1\" in a) trap 'echo term >> \(marker); exit 143' TERM; sleep 20 & wait;; esac; exit 0"
        let worker = makeWorker(fake, tree: tree, command: ["sh", "-c", script, "sh"], report: nil, lease: 2)
        let started = Date()
        XCTAssertEqual(worker.run(), ExitStatus.success)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "the command stopped when its lease ended, not after sleeping")
        XCTAssertEqual(try tree.read("terminated"), "term\n")
        XCTAssertEqual(
            fake.bodies("/api/v1/orchestration/complete").map { $0["lease_id"] }, ["lease-2"],
            "nothing reported for the ended lease; the next batch ran and completed")
        XCTAssertTrue(fake.bodies("/api/v1/orchestration/release").isEmpty, "an ended lease is not given back")
        XCTAssertTrue(fake.pending.isEmpty)
    }

    func testUnitLabelRulesLabelTheUnitsTheirGlobsMatch() throws {
        let rules = try UnitLabelRules(["tests/gpu/**:gpu=true", "tests/**/*_win.py:os=windows", "tests/gpu/b_win.py:os=linux"])
        XCTAssertEqual(rules.labels(of: "tests/gpu/a.py"), ["gpu": "true"])
        XCTAssertEqual(rules.labels(of: "tests/cpu/x_win.py"), ["os": "windows"])
        XCTAssertEqual(rules.labels(of: "tests/gpu/b_win.py"), ["gpu": "true", "os": "linux"], "a later rule wins")
        XCTAssertEqual(rules.labels(of: "other/a.py"), [:])
        XCTAssertEqual(try UnitLabelRules(["C:/x/**:k=v"]).labels(of: "C:/x/y.py"), ["k": "v"], "the last ':' splits")
        for bad in ["tests/**", "tests/**:=v", ":k=v", "tests/**:k"] {
            XCTAssertThrowsError(try UnitLabelRules([bad]), bad)
        }
    }
}
