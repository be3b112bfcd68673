import VerdictCrypto
import VerdictDB
import VerdictDispatch
import VerdictJSON

/// Where an orchestration stands, as `begin` and the events report it.
public struct OrchestrationSummary: Sendable, Equatable {
    public var runID: RunID
    public var status: OrchestrationStatus
    public var counts: [UnitState: Int]
    public var unitsTotal: Int
}

/// What `begin` did: opened the orchestration, or found the same one already open.
public struct OrchestrationStart: Sendable {
    public var summary: OrchestrationSummary
    public var created: Bool
    /// The report run was opened by this call (a `run.created` event is due).
    public var runCreated: Bool
}

/// Orchestrations: a run's queue of units, leased to workers in batches until every unit is
/// decided. Every operation is one transaction; the queue's rows are locked one by one, so
/// workers of one run check out side by side, while completions of one run take turns on the
/// orchestration's row (they decide retests, fail-fast and the end of the run, which must see
/// each other).
public struct OrchestrationService {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Opens the orchestration and its report run, or finds them: every worker of a CI matrix
    /// may call this with the same identity and units, and all get the same run.
    public func begin(_ spec: OrchestrationSpec, for access: TeamAccess) throws -> OrchestrationStart {
        let digest = Self.digest(spec.units)
        return try db.transaction {
            let (run, runCreated) = try RunService(db: db).begin(spec.identity, for: access, expected: nil, orchestrated: true)
            let options = spec.options
            let inserted = try db.query(
                """
                INSERT INTO orchestrations (run_id, project_id, units_digest, units_total, lease_seconds, idle_timeout_seconds, retests,
                    fail_fast, expected_workers)
                VALUES ($1, $2, $3, $4::integer, $5::integer, $6::integer, $7::integer, $8::integer, $9::integer)
                ON CONFLICT (run_id) DO NOTHING
                RETURNING run_id
                """,
                [
                    run.id.text, run.projectID.text, digest, String(spec.units.count), String(options.leaseSeconds),
                    String(options.idleTimeoutSeconds), String(options.retests), options.failFast.map(String.init),
                    options.expectedWorkers.map(String.init),
                ]
            ).first
            if inserted != nil {
                try insertUnits(spec.units, runID: run.id, projectID: run.projectID)
            } else {
                let stored: String = try db.query("SELECT units_digest FROM orchestrations WHERE run_id = $1", [run.id.text]).first!
                    .decode("units_digest")
                guard stored == digest else {
                    throw ServiceError.refused(
                        .unitsMismatch,
                        "run \(run.id.text) is already orchestrated with other units; every worker must register the same units "
                            + "(ids and labels), or use another identity (ci_run_attempt, name)")
                }
            }
            return OrchestrationStart(summary: try summary(run.id), created: inserted != nil, runCreated: runCreated)
        }
    }

    /// The units in byte order of their ids, each with its expected duration from the
    /// project's history (see `UnitHistory`) and its place in the queue.
    private func insertUnits(_ units: [UnitSpec], runID: RunID, projectID: ProjectID) throws {
        let estimator = DurationEstimator(history: try UnitHistory(db: db).history(of: projectID, for: units.map(\.id)))
        let rows = CopyRows(columns: 7, reservingCapacity: units.count * 96)
        for (ordinal, unit) in units.enumerated() {
            let estimate = estimator.estimate(id: unit.id, weightHintMs: unit.weightMs)
            rows.uuid(runID.key)
            rows.int32(ordinal)
            rows.text(unit.id)
            rows.jsonb(Array(LabelsJSON.text(unit.labels).utf8))
            rows.double(estimate.meanMs)
            rows.double(estimate.sigmaMs)
            rows.double(Priority.value(of: estimate))
            rows.endRow()
        }
        _ = try db.copy(
            into: "orchestration_units", columns: ["run_id", "ordinal", "unit", "labels", "expected_ms", "spread_ms", "priority"],
            rows: rows)
        try db.query(
            "UPDATE orchestrations SET total_ms = (SELECT coalesce(sum(expected_ms), 0) FROM orchestration_units WHERE run_id = $1) WHERE run_id = $1",
            [runID.text])
    }

    /// What "the same units" means: the same ids with the same labels, in any order (`spec.units`
    /// is sorted). Weight hints are hints and may differ between workers.
    static func digest(_ units: [UnitSpec]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(units.count * 48)
        for unit in units {
            bytes.append(contentsOf: unit.id.utf8)
            bytes.append(0)
            bytes.append(contentsOf: LabelsJSON.text(unit.labels).utf8)
            bytes.append(0x0A)
        }
        return Crypto.hex(Crypto.sha256(bytes))
    }

    /// The orchestration's status and its units counted by state.
    public func summary(_ runID: RunID) throws -> OrchestrationSummary {
        guard
            let row = try db.query(
                "SELECT status, units_total FROM orchestrations WHERE run_id = $1", [runID.text]
            ).first
        else { throw ServiceError.notFound(runID.named) }
        return OrchestrationSummary(
            runID: runID, status: try row.decode("status"), counts: try counts(runID), unitsTotal: try row.decode("units_total"))
    }

    func counts(_ runID: RunID) throws -> [UnitState: Int] {
        var counts: [UnitState: Int] = [:]
        for state in UnitState.allCases { counts[state] = 0 }
        for row in try db.query(
            "SELECT state, count(*) AS n FROM orchestration_units WHERE run_id = $1 GROUP BY state", [runID.text]
        ).rows {
            counts[try row.decode("state", as: UnitState.self)] = try row.decode("n")
        }
        return counts
    }

    /// The orchestration of a run of the caller's team, its row locked when `lock` says so: a
    /// lock that leaves the key alone (NO KEY UPDATE), so checkouts inserting rows that refer
    /// to it (their foreign keys take KEY SHARE) are not held up by a completion.
    /// - Parameter queue: also read the queue's pending work and whether a lease is due, which
    ///   only a checkout needs.
    func orchestration(_ runID: RunID, for access: TeamAccess, lock: Bool = false, queue: Bool = false) throws -> OrchestrationRow {
        guard
            let row = try db.query(
                prepared:
                    """
                    SELECT \(Self.columns)\(queue ? Self.queueColumns : "")
                    FROM orchestrations o JOIN projects p ON p.id = o.project_id
                    WHERE o.run_id = $1 AND p.team_id = $2\(lock ? " FOR NO KEY UPDATE OF o" : "")
                    """, [runID.text, access.teamID.text]
            ).first
        else { throw ServiceError.notFound("orchestration of \(runID.named)") }
        return try OrchestrationRow(row, queue: queue)
    }

    /// The columns `OrchestrationRow` reads, of `orchestrations o`.
    static let columns = """
        o.run_id, o.project_id, o.status, o.lease_seconds, o.idle_timeout_seconds, o.retests, o.fail_fast,
            o.expected_workers, o.units_total, o.total_ms
        """

    static let queueColumns = """
        ,
        o.total_ms + o.requeued_ms
            - coalesce((SELECT sum(w.leased_ms) FROM orchestration_workers w WHERE w.run_id = o.run_id), 0) AS pending_ms,
        EXISTS (
            SELECT 1 FROM orchestration_leases l WHERE l.run_id = o.run_id AND l.state = 'active' AND l.deadline < now()
        ) AS leases_due
        """
}

/// An orchestration's settings and state, as the operations read them.
struct OrchestrationRow {
    var runID: RunID
    var projectID: ProjectID
    var status: OrchestrationStatus
    var leaseSeconds: Int
    var idleTimeoutSeconds: Int
    var retests: Int
    var failFast: Int?
    var expectedWorkers: Int?
    var unitsTotal: Int
    /// The expected work of all its units as begun.
    var totalMs: Double
    /// Expected work not handed out yet, from the ledger (see migration 14).
    var pendingMs: Double
    /// Some lease is past its deadline.
    var leasesDue: Bool

    init(_ row: Row, queue: Bool = false) throws {
        runID = try row.decode("run_id")
        projectID = try row.decode("project_id")
        status = try row.decode("status")
        leaseSeconds = try row.decode("lease_seconds")
        idleTimeoutSeconds = try row.decode("idle_timeout_seconds")
        retests = try row.decode("retests")
        failFast = try row.decodeIfPresent("fail_fast")
        expectedWorkers = try row.decodeIfPresent("expected_workers")
        unitsTotal = try row.decode("units_total")
        totalMs = try row.decode("total_ms")
        pendingMs = queue ? max(0, try row.decode("pending_ms")) : 0
        leasesDue = queue ? try row.decode("leases_due") : false
    }
}
