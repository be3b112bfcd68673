import VerdictDB
import VerdictJSON

/// One try of a unit.
public struct UnitAttempt: Sendable {
    public var attempt: Int
    public var worker: String
    public var leaseID: LeaseID
    public var retest: Bool
    public var startedAt: String
    public var endedAt: String?
    /// `passed`, `failed`, `skipped`, `errored`; or how the try ended without a result:
    /// `expired`, `released`, `cancelled`, `unreported`; nil while it runs.
    public var outcome: String?
    public var durationMs: Double?
    public var error: String?
    public var late: Bool
}

public struct UnitView: Sendable {
    public var id: String
    public var state: UnitState
    public var labels: [String: String]
    public var expectedMs: Double
    public var attempts: [UnitAttempt]
}

public struct WorkerView: Sendable {
    public var name: String
    public var labels: [String: String]
    public var firstSeen: String
    public var lastSeen: String
    public var tries: Int
    public var passed: Int
    public var failed: Int
    /// Sum of the reported durations of its tries.
    public var busyMs: Double
    public var lease: (id: LeaseID, deadline: String, units: Int)?
}

/// An orchestration as its status endpoint and page show it.
public struct OrchestrationView: Sendable {
    public var runID: RunID
    public var status: OrchestrationStatus
    public var stopReason: String?
    public var unitsTotal: Int
    public var counts: [UnitState: Int]
    public var options: OrchestrationOptions
    public var createdAt: String
    public var completedAt: String?
    public var workers: [WorkerView]
    /// Pending units that no worker seen so far can take, by their labels.
    public var unplaceable: [String]
}

/// One bar of the timeline: a try, on its worker's lane.
public struct TimelineBar: Sendable {
    public var worker: String
    public var unit: String
    public var startMs: Int64
    public var endMs: Int64?
    public var outcome: String?
}

/// Reads of an orchestration, for viewers of its run (a `RunSummary` is the proof).
public struct OrchestrationRead {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public static let unplaceableLimit = 100

    public func view(of run: RunSummary) throws -> OrchestrationView {
        guard
            let row = try db.query(
                """
                SELECT status, stop_reason, units_total, lease_seconds, idle_timeout_seconds, retests, fail_fast, expected_workers,
                    rfc3339(created_at) AS created, rfc3339(completed_at) AS completed
                FROM orchestrations WHERE run_id = $1
                """, [run.id.text]
            ).first
        else { throw ServiceError.notFound("orchestration of \(run.id.named)") }
        var options = OrchestrationOptions()
        options.leaseSeconds = try row.decode("lease_seconds")
        options.idleTimeoutSeconds = try row.decode("idle_timeout_seconds")
        options.retests = try row.decode("retests")
        options.failFast = try row.decodeIfPresent("fail_fast")
        options.expectedWorkers = try row.decodeIfPresent("expected_workers")
        let unplaceable = try db.query(
            """
            SELECT u.unit FROM orchestration_units u
            WHERE u.run_id = $1 AND u.state = 'pending' AND u.labels <> '{}'
              AND EXISTS (SELECT 1 FROM orchestration_workers w WHERE w.run_id = u.run_id)
              AND NOT EXISTS (SELECT 1 FROM orchestration_workers w WHERE w.run_id = u.run_id AND u.labels <@ w.labels)
            ORDER BY u.ordinal LIMIT $2::integer
            """, [run.id.text, String(Self.unplaceableLimit)]
        ).rows.map { try $0.decode("unit", as: String.self) }
        return OrchestrationView(
            runID: run.id, status: try row.decode("status"), stopReason: try row.decodeIfPresent("stop_reason"),
            unitsTotal: try row.decode("units_total"), counts: try OrchestrationService(db: db).counts(run.id), options: options,
            createdAt: try row.decode("created"), completedAt: try row.decodeIfPresent("completed"), workers: try workers(run.id),
            unplaceable: unplaceable)
    }

    /// The units in queue order of their registration (ids in byte order), with every try.
    public func units(of run: RunSummary, states: [UnitState]?, limit: Int, after cursor: PageCursor?) throws -> Page<UnitView> {
        let after: Int?
        if let cursor {
            guard let ordinal = Int(cursor.sortKey), cursor.id == run.id.text else {
                throw ServiceError.invalid(field: "cursor", reason: "is not a cursor of this orchestration's units")
            }
            after = ordinal
        } else {
            after = nil
        }
        let rows = try db.query(
            """
            SELECT id, ordinal, unit, state, labels::text AS labels, expected_ms FROM orchestration_units
            WHERE run_id = $1 AND ($2::integer IS NULL OR ordinal > $2::integer) AND ($3::text[] IS NULL OR state = ANY ($3::text[]))
            ORDER BY ordinal LIMIT $4::integer
            """, [run.id.text, after.map(String.init), states.map { postgresTextArray($0.map(\.rawValue)) }, String(limit + 1)]
        ).rows
        var units: [(ordinal: Int, id: Int64, view: UnitView)] = []
        for row in rows.prefix(limit) {
            units.append(
                (
                    try row.decode("ordinal"), try row.decode("id"),
                    UnitView(
                        id: try row.decode("unit"), state: try row.decode("state"), labels: LabelsJSON.parse(try row.decode("labels")),
                        expectedMs: try row.decode("expected_ms"), attempts: [])
                ))
        }
        if !units.isEmpty {
            var index: [Int64: Int] = [:]
            for (position, unit) in units.enumerated() { index[unit.id] = position }
            for row in try db.query(
                """
                SELECT unit_id, attempt, worker, lease_id, retest, rfc3339(started_at) AS started, rfc3339(ended_at) AS ended, outcome,
                    duration_ms, error, late
                FROM orchestration_attempts WHERE unit_id = ANY ($1::bigint[])
                ORDER BY unit_id, attempt
                """, [postgresNumberArray(units.map(\.id))]
            ).rows {
                guard let position = index[try row.decode("unit_id")] else { continue }
                units[position].view.attempts.append(
                    UnitAttempt(
                        attempt: try row.decode("attempt"), worker: try row.decode("worker"), leaseID: try row.decode("lease_id"),
                        retest: try row.decode("retest"), startedAt: try row.decode("started"), endedAt: try row.decodeIfPresent("ended"),
                        outcome: try row.decodeIfPresent("outcome"), durationMs: try row.decodeIfPresent("duration_ms"),
                        error: try row.decodeIfPresent("error"), late: try row.decode("late")))
            }
        }
        let next = rows.count > limit ? units.last.map { PageCursor(sortKey: String($0.ordinal), id: run.id.text) } : nil
        return Page(items: units.map(\.view), nextCursor: next)
    }

    private func workers(_ runID: RunID) throws -> [WorkerView] {
        // The tries are counted once, before the join: a run's tries are written faster than
        // autovacuum analyzes them, and with no statistics for the run the planner counted them
        // again for every worker (200 workers, 5,000 tries: 100 ms instead of 3).
        try db.query(
            """
            WITH a AS MATERIALIZED (
                SELECT worker, count(*) AS tries, count(*) FILTER (WHERE outcome = 'passed') AS passed,
                    count(*) FILTER (WHERE outcome IN ('failed', 'errored')) AS failed, sum(duration_ms) AS busy
                FROM orchestration_attempts WHERE run_id = $1 GROUP BY worker
            )
            SELECT w.worker, w.labels::text AS labels, rfc3339(w.first_seen) AS first_seen, rfc3339(w.last_seen) AS last_seen,
                coalesce(a.tries, 0) AS tries, coalesce(a.passed, 0) AS passed, coalesce(a.failed, 0) AS failed,
                coalesce(a.busy, 0) AS busy, l.id AS lease_id, rfc3339(l.deadline) AS deadline, cardinality(l.units) AS lease_units
            FROM orchestration_workers w
            LEFT JOIN a ON a.worker = w.worker
            LEFT JOIN orchestration_leases l ON l.run_id = w.run_id AND l.worker = w.worker AND l.state = 'active'
            WHERE w.run_id = $1 ORDER BY w.first_seen, w.worker
            """, [runID.text]
        ).rows.map { row in
            let leaseID: LeaseID? = try row.decodeIfPresent("lease_id")
            return WorkerView(
                name: try row.decode("worker"), labels: LabelsJSON.parse(try row.decode("labels")), firstSeen: try row.decode("first_seen"),
                lastSeen: try row.decode("last_seen"), tries: try row.decode("tries"), passed: try row.decode("passed"),
                failed: try row.decode("failed"), busyMs: try row.decode("busy"),
                lease: try leaseID.map { ($0, try row.decode("deadline"), try row.decode("lease_units")) })
        }
    }

    /// The latest tries, oldest first, for a timeline with one lane per worker.
    public func timeline(of run: RunSummary, limit: Int) throws -> [TimelineBar] {
        try db.query(
            """
            SELECT * FROM (
                SELECT a.worker, u.unit, (extract(epoch FROM a.started_at) * 1000)::bigint AS started,
                    (extract(epoch FROM a.ended_at) * 1000)::bigint AS ended, a.outcome
                FROM orchestration_attempts a JOIN orchestration_units u ON u.id = a.unit_id
                WHERE a.run_id = $1 ORDER BY a.started_at DESC LIMIT $2::integer
            ) t ORDER BY started
            """, [run.id.text, String(limit)]
        ).rows.map { row in
            TimelineBar(
                worker: try row.decode("worker"), unit: try row.decode("unit"), startMs: try row.decode("started"),
                endMs: try row.decodeIfPresent("ended"), outcome: try row.decodeIfPresent("outcome"))
        }
    }
}
