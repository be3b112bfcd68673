import Foundation
import VerdictAPI
import VerdictDB
import VerdictJSON
import VerdictPages
import XCTest

@testable import VerdictCore

/// Orchestration through its endpoints, in process over the test database: begin, checkout,
/// heartbeat, complete, release, cancel, the status read and the reaper.
final class OrchestrationTests: XCTestCase {
    var db: PostgresConnection!
    var team: (key: String, access: TeamAccess)!
    let harness = HandlerHarness()

    override func setUpWithError() throws {
        db = try TestDatabase.connection()
        team = try TestDatabase.team(db)
    }

    // MARK: helpers

    func begin(_ units: [String], project: String = "orchestra", ciRunID: String = UUID().uuidString, extra: String = "")
        async -> HandlerHarness.Response
    {
        let list = units.map { $0.hasPrefix("{") ? $0 : "\"\($0)\"" }.joined(separator: ",")
        return await harness.call(
            BeginOrchestration(), "/x", method: "POST", key: team.key,
            body: "{\"project\":\"\(project)\",\"ci_run_id\":\"\(ciRunID)\",\"units\":[\(list)]\(extra)}")
    }

    func beginRun(_ units: [String], extra: String = "") async throws -> String {
        let begun = await begin(units, extra: extra)
        XCTAssertEqual(begun.status, 201, begun.text)
        return try XCTUnwrap(begun.json["run_id"]?.stringValue)
    }

    func checkout(_ runID: String, _ worker: String, labels: String = "{}") async -> HandlerHarness.Response {
        await harness.call(
            CheckoutUnits(), "/x", method: "POST", key: team.key,
            body: "{\"run_id\":\"\(runID)\",\"worker\":\"\(worker)\",\"labels\":\(labels)}")
    }

    func complete(_ runID: String, _ worker: String, _ lease: String, _ results: [(String, String)], durationMs: Double = 100) async
        -> HandlerHarness.Response
    {
        let list = results.map { "{\"unit\":\"\($0.0)\",\"status\":\"\($0.1)\",\"duration_ms\":\(durationMs)}" }.joined(separator: ",")
        return await harness.call(
            CompleteLease(), "/x", method: "POST", key: team.key,
            body: "{\"run_id\":\"\(runID)\",\"worker\":\"\(worker)\",\"lease_id\":\"\(lease)\",\"results\":[\(list)]}")
    }

    func status(_ runID: String, query: String = "") async -> HandlerHarness.Response {
        await harness.call(GetOrchestration(), "/x", pathParameters: ["run_id": runID], query: query, key: team.key)
    }

    /// The queue's work as the ledger keeps it equals the sum over the pending units.
    func assertLedger(_ runID: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let row = try db.query(
            """
            SELECT o.total_ms + o.requeued_ms - coalesce((SELECT sum(leased_ms) FROM orchestration_workers w WHERE w.run_id = o.run_id), 0)
                AS ledger,
                (SELECT coalesce(sum(expected_ms), 0) FROM orchestration_units u WHERE u.run_id = o.run_id AND u.state = 'pending') AS queue
            FROM orchestrations o WHERE o.run_id = $1
            """, [runID]
        ).first!
        XCTAssertEqual(
            try row.decode("ledger", as: Double.self), try row.decode("queue", as: Double.self), accuracy: 0.001, file: file, line: line)
    }

    func units(of response: HandlerHarness.Response) -> [String] {
        response.json["units"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    func state(_ runID: String, _ unit: String) async -> String? {
        await status(runID).json["units"]?.arrayValue?.first { $0["id"]?.stringValue == unit }?["state"]?.stringValue
    }

    // MARK: begin

    func testEveryWorkerMayBeginAndGetsTheSameRunButOtherUnitsConflict() async throws {
        let ciRun = UUID().uuidString
        let first = await begin(["b.spec.ts", "a.spec.ts"], ciRunID: ciRun)
        XCTAssertEqual(first.status, 201, first.text)
        XCTAssertEqual(first.json["units_total"]?.intValue, 2)
        XCTAssertEqual(first.json["counts"]?["pending"]?.intValue, 2)
        let again = await begin(["a.spec.ts", "b.spec.ts"], ciRunID: ciRun)
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(again.json, first.json, "the same body, whatever order the units came in")
        let other = await begin(["a.spec.ts", "c.spec.ts"], ciRunID: ciRun)
        XCTAssertEqual(other.status, 409, other.text)
        XCTAssertEqual(other.errorCode, "units_mismatch")
        let runID = try XCTUnwrap(first.json["run_id"]?.stringValue)
        let run = await harness.call(GetRun(), "/x", pathParameters: ["id": runID], key: team.key)
        XCTAssertEqual(run.status, 200, "the report run is open at once")
        XCTAssertEqual(run.json["status"]?.stringValue, "running")
    }

    func testBadUnitsAreRefusedByName() async throws {
        let cases: [([String], String, String)] = [
            ([], "", "units"),
            (["a", "a"], "", "units[1].id"),
            (["{\"id\":\"a\",\"labels\":{\"os\":1}}"], "", "units[0].labels.os"),
            (["{\"id\":\"a\",\"weight_ms\":-1}"], "", "units[0].weight_ms"),
            (["{\"id\":\"a\",\"colour\":\"red\"}"], "", "units[0].colour"),
            (["a"], ",\"retests\":11", "retests"),
            (["a"], ",\"lease_seconds\":1", "lease_seconds"),
        ]
        for (units, extra, field) in cases {
            let response = await begin(units, extra: extra)
            XCTAssertEqual(response.status, 400, "\(units) \(extra): \(response.text)")
            XCTAssertEqual(response.errorCode, "invalid_parameter")
            XCTAssertTrue(
                response.json["error"]?["message"]?.stringValue?.hasPrefix(field) == true, "\(field) named in \(response.text)")
        }
    }

    // MARK: leasing

    func testConcurrentCheckoutsNeverLeaseAUnitTwice() throws {
        let runID = try OrchestrationService(db: db).begin(
            try OrchestrationSpec(
                identity: try RunIdentity(
                    project: "race", commit: nil, branch: nil, ciRunID: UUID().uuidString, ciRunAttempt: nil, name: nil),
                units: (0..<400).map { UnitSpec(id: "tests/u\($0).py", weightMs: Double(10 + $0 % 50)) }, options: OrchestrationOptions()),
            for: team.access
        ).summary.runID
        let access = team.access
        let url = try XCTUnwrap(HandlerHarness.databaseURL)
        let leased = NSLock()
        var seen: [String: Int] = [:]
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let connection = try PostgresConnection(url: url)
                let service = OrchestrationService(db: connection)
                // Bounded, so a run that never ends fails the test instead of hanging it.
                loop: for _ in 0..<5_000 {
                    switch try service.checkout(runID, worker: "w\(index)", labels: [:], for: access).result {
                    case .lease(let grant):
                        leased.withLock { for unit in grant.units { seen[unit.id, default: 0] += 1 } }
                        _ = try service.complete(
                            runID, worker: "w\(index)", lease: grant.id,
                            results: grant.units.map { UnitResult(unit: $0.id, outcome: .passed, durationMs: 5) }, for: access)
                    case .wait(let milliseconds):
                        usleep(UInt32(milliseconds) * 100)
                    case .done:
                        break loop
                    }
                }
            } catch {
                leased.withLock { failures.append("\(error)") }
            }
        }
        XCTAssertEqual(failures, [])
        XCTAssertEqual(seen.count, 400, "every unit was leased")
        XCTAssertEqual(seen.values.filter { $0 != 1 }.count, 0, "no unit was leased twice")
        let summary = try OrchestrationService(db: db).summary(runID)
        XCTAssertEqual(summary.status, .completed)
        XCTAssertEqual(summary.counts[.passed], 400)
        let run = try db.query("SELECT status FROM runs WHERE id = $1", [runID.text]).first!
        XCTAssertEqual(try run.decode("status", as: String.self), "completed")
    }

    func testBatchesGoLongestFirstAndShrinkAsTheQueueDrains() async throws {
        let units = (0..<60).map { "{\"id\":\"t/u\($0)\",\"weight_ms\":\(100 + $0 * 10)}" }
        let runID = try await beginRun(units, extra: ",\"expected_workers\":2")
        let first = await checkout(runID, "w1")
        let firstUnits = first.json["units"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        XCTAssertEqual(firstUnits.first, "t/u59", "the longest expected unit first: \(first.text)")
        XCTAssertGreaterThan(firstUnits.count, 1)
        var sizes = [firstUnits.count]
        var lease = try XCTUnwrap(first.json["lease_id"]?.stringValue)
        var held = firstUnits
        for _ in 0..<100 {
            _ = await complete(runID, "w1", lease, held.map { ($0, "passed") })
            let next = await checkout(runID, "w1")
            guard next.json["done"]?.boolValue == false, let id = next.json["lease_id"]?.stringValue else { break }
            lease = id
            held = next.json["units"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            sizes.append(held.count)
        }
        XCTAssertLessThan(sizes.last!, sizes.first!, "batches shrink: \(sizes)")
        XCTAssertEqual(sizes.reduce(0, +), 60)
    }

    func testManyWorkersGetUnevenBatchesAndSpreadTheirWaits() {
        // Few workers: batches exactly as planned, waits spread over at most 250 ms.
        XCTAssertEqual(OrchestrationService.spreadFactor(workers: 2), 1)
        let few = (0..<200).map { _ in
            OrchestrationService.leasedElsewhereWait(leaseSeconds: 5, retests: 0, nextDeadlineMs: 1_000, liveWorkers: 3)
        }
        XCTAssertTrue(few.allSatisfy { (1_000...1_250).contains($0) }, "\(few.min()!)…\(few.max()!)")
        // A matrix: batches within 30% of the plan, and not all the same; waits over 2.5 s.
        let factors = (0..<200).map { _ in OrchestrationService.spreadFactor(workers: 200) }
        XCTAssertTrue(factors.allSatisfy { (0.7...1.3).contains($0) })
        XCTAssertGreaterThan(factors.max()! - factors.min()!, 0.3)
        let many = (0..<400).map { _ in
            OrchestrationService.leasedElsewhereWait(leaseSeconds: 5, retests: 0, nextDeadlineMs: 1_000, liveWorkers: 200)
        }
        XCTAssertTrue(many.allSatisfy { (1_000...3_500).contains($0) }, "\(many.min()!)…\(many.max()!)")
        XCTAssertGreaterThan(many.max()! - many.min()!, 1_500, "spread, not synchronised")
        // With retests a unit may come back any moment: the short wait, spread the same way.
        let retesting = OrchestrationService.leasedElsewhereWait(leaseSeconds: 5, retests: 2, nextDeadlineMs: 4_000, liveWorkers: 1)
        XCTAssertTrue((500...750).contains(retesting), "\(retesting)")
    }

    func testARetriedCheckoutGetsTheSameLease() async throws {
        let runID = try await beginRun(["a", "b", "c"])
        let first = await checkout(runID, "w1")
        let again = await checkout(runID, "w1")
        XCTAssertEqual(again.json["lease_id"], first.json["lease_id"], again.text)
        XCTAssertEqual(again.json["units"], first.json["units"])
    }

    // MARK: leases that end

    func testAnExpiredLeaseGoesToAnotherWorkerAndItsLateResultChangesNothing() async throws {
        let runID = try await beginRun(["a"], extra: ",\"lease_seconds\":5")
        let first = await checkout(runID, "w1")
        let lease1 = try XCTUnwrap(first.json["lease_id"]?.stringValue)
        try db.query("UPDATE orchestration_leases SET deadline = now() - interval '1 second' WHERE id = $1", [lease1])
        let heartbeat = await harness.call(
            HeartbeatLease(), "/x", method: "POST", key: team.key,
            body: "{\"run_id\":\"\(runID)\",\"worker\":\"w2\",\"lease_id\":\"\(lease1)\"}")
        XCTAssertEqual(heartbeat.errorCode, "lease_not_held", heartbeat.text)
        let second = await checkout(runID, "w2")
        XCTAssertEqual(second.json["units"]?[0]?["id"]?.stringValue, "a", second.text)
        XCTAssertEqual(second.json["units"]?[0]?["attempt"]?.intValue, 2)
        let late = await complete(runID, "w1", lease1, [("a", "failed")])
        XCTAssertEqual(late.status, 200, late.text)
        XCTAssertEqual(late.json["accepted"]?.intValue, 0)
        XCTAssertEqual(late.json["late"]?.intValue, 1)
        let stale = await harness.call(
            HeartbeatLease(), "/x", method: "POST", key: team.key,
            body: "{\"run_id\":\"\(runID)\",\"worker\":\"w1\",\"lease_id\":\"\(lease1)\"}")
        XCTAssertEqual(stale.status, 409)
        XCTAssertEqual(stale.errorCode, "lease_ended")
        let lease2 = try XCTUnwrap(second.json["lease_id"]?.stringValue)
        let onTime = await complete(runID, "w2", lease2, [("a", "passed")])
        XCTAssertEqual(onTime.json["accepted"]?.intValue, 1)
        let read = await status(runID)
        XCTAssertEqual(read.json["status"]?.stringValue, "completed")
        let attempts = read.json["units"]?[0]?["attempts"]?.arrayValue ?? []
        XCTAssertEqual(attempts.map { $0["status"]?.stringValue }, ["failed", "passed"], read.text)
        XCTAssertEqual(attempts.map { $0["late"]?.boolValue }, [true, false])
        XCTAssertEqual(read.json["units"]?[0]?["state"]?.stringValue, "passed", "the late failure did not flip it")
        try assertLedger(runID)
    }

    func testHeartbeatsKeepALeaseAndCompletionIsIdempotent() async throws {
        let runID = try await beginRun(["a", "b"])
        let grant = await checkout(runID, "w1")
        let lease = try XCTUnwrap(grant.json["lease_id"]?.stringValue)
        let deadline = try XCTUnwrap(grant.json["deadline"]?.stringValue)
        try await Task.sleep(nanoseconds: 20_000_000)
        let beat = await harness.call(
            HeartbeatLease(), "/x", method: "POST", key: team.key,
            body: "{\"run_id\":\"\(runID)\",\"worker\":\"w1\",\"lease_id\":\"\(lease)\"}")
        XCTAssertEqual(beat.status, 200, beat.text)
        XCTAssertGreaterThan(try XCTUnwrap(beat.json["deadline"]?.stringValue), deadline)
        let held = units(of: grant)
        let outside = await complete(runID, "w1", lease, [("zzz", "passed")])
        XCTAssertEqual(outside.status, 400, outside.text)
        XCTAssertTrue(outside.text.contains("results[0].unit"), outside.text)
        let answer = await complete(runID, "w1", lease, held.map { ($0, "passed") })
        let repeated = await complete(runID, "w1", lease, held.map { ($0, "failed") })
        XCTAssertEqual(repeated.json, answer.json, "the first answer wins")
        for unit in held { await XCTAssertEqualAsync(await state(runID, unit), "passed") }
    }

    func testAReleasedLeaseGivesItsUnitsBackUntried() async throws {
        let runID = try await beginRun(["a", "b", "c"])
        let grant = await checkout(runID, "w1")
        let lease = try XCTUnwrap(grant.json["lease_id"]?.stringValue)
        let released = await harness.call(
            ReleaseLease(), "/x", method: "POST", key: team.key,
            body: "{\"run_id\":\"\(runID)\",\"worker\":\"w1\",\"lease_id\":\"\(lease)\"}")
        XCTAssertEqual(released.status, 200, released.text)
        XCTAssertEqual(Set(released.json["released"]?.arrayValue?.compactMap(\.stringValue) ?? []), Set(units(of: grant)))
        let read = await status(runID)
        XCTAssertEqual(read.json["counts"]?["pending"]?.intValue, 3, read.text)
        try assertLedger(runID)
        let again = await checkout(runID, "w2")
        XCTAssertEqual(Set(units(of: again)), Set(units(of: grant)), "the same units, to the next worker")
        try assertLedger(runID)
    }

    // MARK: retests, fail-fast, labels

    func testAFailedUnitIsRetestedOnAnotherWorkerAndPassingMakesItFlaky() async throws {
        let runID = try await beginRun(["a"], extra: ",\"retests\":1")
        _ = await checkout(runID, "w2")  // w2 is live, with nothing to do yet: "a" went to…
        let grant = await checkout(runID, "w1")
        XCTAssertEqual(grant.json["units"]?.arrayValue?.count ?? 0, 0, "w2 asked first and holds it: \(grant.text)")
        let held = await checkout(runID, "w2")
        let lease = try XCTUnwrap(held.json["lease_id"]?.stringValue)
        let failed = await complete(runID, "w2", lease, [("a", "failed")])
        XCTAssertEqual(failed.json["accepted"]?.intValue, 1)
        await XCTAssertEqualAsync(await state(runID, "a"), "pending")
        try assertLedger(runID)
        let sameWorker = await checkout(runID, "w2")
        XCTAssertEqual(sameWorker.json["units"]?.arrayValue?.count, 0, "the retest waits for another worker: \(sameWorker.text)")
        XCTAssertEqual(sameWorker.json["done"]?.boolValue, false)
        XCTAssertNotNil(sameWorker.json["retry_after_ms"]?.intValue)
        let other = await checkout(runID, "w1")
        XCTAssertEqual(other.json["units"]?[0]?["retest"]?.boolValue, true, other.text)
        XCTAssertEqual(other.json["units"]?[0]?["attempt"]?.intValue, 2)
        _ = await complete(runID, "w1", try XCTUnwrap(other.json["lease_id"]?.stringValue), [("a", "passed")])
        await XCTAssertEqualAsync(await state(runID, "a"), "flaky")
        let finished = await status(runID)
        XCTAssertEqual(finished.json["status"]?.stringValue, "completed")
    }

    func testFailFastStopsHandingOutUnits() async throws {
        let list = (0..<20).map { "{\"id\":\"t\($0)\",\"weight_ms\":1000}" }
        let runID = try await beginRun(list, extra: ",\"fail_fast\":1,\"expected_workers\":10")
        let grant = await checkout(runID, "w1")
        let held = units(of: grant)
        XCTAssertLessThan(held.count, 20)
        _ = await complete(runID, "w1", try XCTUnwrap(grant.json["lease_id"]?.stringValue), held.map { ($0, "failed") })
        let read = await status(runID)
        XCTAssertEqual(read.json["status"]?.stringValue, "completed", read.text)
        XCTAssertEqual(read.json["stop_reason"]?.stringValue, "fail_fast")
        XCTAssertEqual(read.json["counts"]?["abandoned"]?.intValue, Int64(20 - held.count))
        try assertLedger(runID)
        let after = await checkout(runID, "w2")
        XCTAssertEqual(after.json["done"]?.boolValue, true)
    }

    func testLabelledUnitsGoOnlyToWorkersWithTheLabelsAndUnplaceableOnesAreReported() async throws {
        let runID = try await beginRun(["plain", "{\"id\":\"win\",\"labels\":{\"os\":\"windows\"}}"])
        let linux = await checkout(runID, "linux-1", labels: "{\"os\":\"linux\"}")
        XCTAssertEqual(units(of: linux), ["plain"], linux.text)
        _ = await complete(runID, "linux-1", try XCTUnwrap(linux.json["lease_id"]?.stringValue), [("plain", "passed")])
        let nothing = await checkout(runID, "linux-1", labels: "{\"os\":\"linux\"}")
        XCTAssertEqual(nothing.json["done"]?.boolValue, true, "nothing a linux worker can take: \(nothing.text)")
        let read = await status(runID)
        XCTAssertEqual(read.json["unplaceable_units"]?.arrayValue?.compactMap(\.stringValue), ["win"], read.text)
        let windows = await checkout(runID, "win-1", labels: "{\"os\":\"windows\",\"arch\":\"x64\"}")
        XCTAssertEqual(units(of: windows), ["win"], windows.text)
    }

    // MARK: ending

    func testCancelAbandonsTheQueueAndWorkersAreDone() async throws {
        let runID = try await beginRun(["a", "b", "c", "d"])
        let grant = await checkout(runID, "w1")
        let cancelled = await harness.call(
            CancelOrchestration(), "/x", method: "POST", pathParameters: ["run_id": runID], key: team.key)
        XCTAssertEqual(cancelled.status, 200, cancelled.text)
        XCTAssertEqual(cancelled.json["status"]?.stringValue, "cancelled")
        XCTAssertEqual(cancelled.json["counts"]?["abandoned"]?.intValue, 4)
        let after = await checkout(runID, "w2")
        XCTAssertEqual(after.json["done"]?.boolValue, true)
        let late = await complete(runID, "w1", try XCTUnwrap(grant.json["lease_id"]?.stringValue), units(of: grant).map { ($0, "passed") })
        XCTAssertEqual(late.json["late"]?.intValue, Int64(units(of: grant).count), "recorded, not applied: \(late.text)")
        let run = await harness.call(GetRun(), "/x", pathParameters: ["id": runID], key: team.key)
        XCTAssertEqual(run.json["status"]?.stringValue, "incomplete")
    }

    func testTheReaperExpiresLeasesAndTimesOutIdleRuns() async throws {
        let runID = try await beginRun(["a", "b"], extra: ",\"lease_seconds\":5,\"idle_timeout_seconds\":10")
        let grant = await checkout(runID, "w1")
        try db.query("UPDATE orchestration_leases SET deadline = now() - interval '1 second' WHERE run_id = $1", [runID])
        let first = try OrchestrationReaper(db: db).sweep()
        XCTAssertEqual(first.expired.filter { $0.runID.text == runID }.map(\.id.text), [grant.json["lease_id"]?.stringValue])
        let reclaimed = await status(runID)
        XCTAssertEqual(reclaimed.json["counts"]?["pending"]?.intValue, 2)
        try assertLedger(runID)
        try db.query("UPDATE orchestrations SET created_at = now() - interval '1 hour' WHERE run_id = $1", [runID])
        try db.query("UPDATE orchestration_workers SET last_seen = now() - interval '1 minute' WHERE run_id = $1", [runID])
        let second = try OrchestrationReaper(db: db).sweep()
        XCTAssertTrue(second.timedOut.map(\.text).contains(runID))
        let read = await status(runID)
        XCTAssertEqual(read.json["status"]?.stringValue, "timed_out", read.text)
        XCTAssertEqual(read.json["stop_reason"]?.stringValue, "idle_timeout")
        XCTAssertEqual(read.json["counts"]?["abandoned"]?.intValue, 2)
    }

    func testTheReaperEndsARunWhoseLastCompletionsLeftTheEndToEachOther() async throws {
        let runID = try await beginRun(["a"])
        let grant = await checkout(runID, "w1")
        let lease = try XCTUnwrap(grant.json["lease_id"]?.stringValue)
        // Two completions deciding the last units at once can each see the other's still
        // leased: as if so, the run is left running with nothing open and no worker asking.
        let done = await complete(runID, "w1", lease, units(of: grant).map { ($0, "passed") })
        XCTAssertEqual(done.status, 200, done.text)
        try db.query("UPDATE orchestrations SET status = 'running', completed_at = NULL WHERE run_id = $1", [runID])
        try db.query("UPDATE runs SET status = 'running', completed_at = NULL WHERE id = $1", [runID])
        let sweep = try OrchestrationReaper(db: db).sweep()
        XCTAssertTrue(sweep.completed.map(\.text).contains(runID))
        XCTAssertFalse(sweep.timedOut.map(\.text).contains(runID))
        let read = await status(runID)
        XCTAssertEqual(read.json["status"]?.stringValue, "completed", read.text)
        let run = await harness.call(GetRun(), "/x", pathParameters: ["id": runID], key: team.key)
        XCTAssertEqual(run.json["status"]?.stringValue, "completed")
        XCTAssertFalse(try OrchestrationReaper(db: db).sweep().completed.map(\.text).contains(runID), "ended once")
    }

    func testARemovedRunTakesItsOrchestrationLeasesAndTriesWithIt() async throws {
        let runID = try await beginRun(["a", "b"])
        let grant = await checkout(runID, "w1")
        let lease = try XCTUnwrap(grant.json["lease_id"]?.stringValue)
        _ = await complete(runID, "w1", lease, units(of: grant).map { ($0, "failed") })
        _ = await checkout(runID, "w2")
        func rows(_ table: String) throws -> Int {
            try db.query("SELECT count(*) AS n FROM \(table) WHERE run_id = $1", [runID]).first!.decode("n")
        }
        let tables = ["orchestrations", "orchestration_units", "orchestration_leases", "orchestration_attempts", "orchestration_workers"]
        for table in tables { XCTAssertGreaterThan(try rows(table), 0, table) }
        try db.query("DELETE FROM runs WHERE id = $1", [runID])
        for table in tables { XCTAssertEqual(try rows(table), 0, table) }
    }

    // MARK: history

    func testTheNextRunPlansByWhatThisOneMeasured() async throws {
        let project = "history-\(UUID().uuidString.prefix(8))"
        let first = await begin(["tests/api/a.py", "tests/api/b.py"], project: project)
        let runID = try XCTUnwrap(first.json["run_id"]?.stringValue)
        let measured = ["tests/api/a.py": ("passed", 4000), "tests/api/b.py": ("failed", 1000)]
        for _ in 0..<100 {
            let grant = await checkout(runID, "w1")
            guard let lease = grant.json["lease_id"]?.stringValue else { break }
            let results = units(of: grant).map {
                "{\"unit\":\"\($0)\",\"status\":\"\(measured[$0]!.0)\",\"duration_ms\":\(measured[$0]!.1)}"
            }
            let done = await harness.call(
                CompleteLease(), "/x", method: "POST", key: team.key,
                body:
                    "{\"run_id\":\"\(runID)\",\"worker\":\"w1\",\"lease_id\":\"\(lease)\",\"results\":[\(results.joined(separator: ","))]}")
            XCTAssertEqual(done.json["accepted"]?.intValue, Int64(results.count), done.text)
        }
        let second = await begin(["tests/api/a.py", "tests/api/b.py", "tests/api/c.py", "other/d.py"], project: project)
        let next = try XCTUnwrap(second.json["run_id"]?.stringValue)
        let read = await status(next)
        let expected = Dictionary(
            uniqueKeysWithValues: (read.json["units"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0["expected_ms"]!.doubleValue!) })
        XCTAssertEqual(expected["tests/api/a.py"], 4000)
        XCTAssertEqual(expected["tests/api/b.py"], 1000)
        XCTAssertEqual(expected["tests/api/c.py"], 2500, "the median of its folder")
        XCTAssertEqual(expected["other/d.py"], 2500, "the median of everything known")
    }
}

func XCTAssertEqualAsync<T: Equatable>(
    _ value: @autoclosure () async -> T, _ expected: T, file: StaticString = #filePath, line: UInt = #line
) async {
    let actual = await value()
    XCTAssertEqual(actual, expected, file: file, line: line)
}

/// The orchestration page in process: what a person sees of a sharded run.
final class OrchestrationPageTests: XCTestCase {
    func testThePageShowsStatesWorkersATimelineAndTheUnitsThatDidNotPass() async throws {
        let db = try TestDatabase.connection()
        let team = try TestDatabase.team(db)
        let service = OrchestrationService(db: db)
        let hostile = "tests/<script>alert(1)</script>.spec.ts"
        let start = try service.begin(
            try OrchestrationSpec(
                identity: try RunIdentity(
                    project: "page", commit: nil, branch: nil, ciRunID: UUID().uuidString, ciRunAttempt: nil, name: nil),
                units: [UnitSpec(id: "tests/a.spec.ts"), UnitSpec(id: hostile), UnitSpec(id: "tests/c.spec.ts")],
                options: OrchestrationOptions()),
            for: team.access)
        let runID = start.summary.runID
        for _ in 0..<100 {
            guard case .lease(let grant) = try service.checkout(runID, worker: "runner-1", labels: ["os": "linux"], for: team.access).result
            else { break }
            _ = try service.complete(
                runID, worker: "runner-1", lease: grant.id,
                results: grant.units.map {
                    UnitResult(unit: $0.id, outcome: $0.id == hostile ? .failed : .passed, durationMs: 50, error: "boom <b>")
                },
                for: team.access)
        }
        let page = await HandlerHarness().call(
            PageEndpoint(OrchestrationPage()), "/x", pathParameters: ["id": runID.text], key: team.key)
        XCTAssertEqual(page.status, 200, page.text)
        let html = page.text
        XCTAssertTrue(html.contains("<b>3</b> of <b>3</b> units decided"), html)
        XCTAssertTrue(html.contains("<td>runner-1</td>"))
        XCTAssertTrue(html.contains("os=linux"))
        XCTAssertTrue(html.contains("class=\"chart timeline\""))
        XCTAssertTrue(html.contains("tests/&lt;script&gt;alert(1)&lt;/script&gt;.spec.ts"), "the unit id is text")
        XCTAssertFalse(html.contains("<script>alert(1)"))
        XCTAssertTrue(html.contains("boom &lt;b&gt;"))
        XCTAssertFalse(html.contains("<code>tests/a.spec.ts</code>"), "units that passed are not listed")
        let run = await HandlerHarness().call(PageEndpoint(RunPage()), "/x", pathParameters: ["id": runID.text], key: team.key)
        XCTAssertTrue(run.text.contains("href=\"/runs/\(runID.text)/orchestration\""), "the run page links it")
    }
}
