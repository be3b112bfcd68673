import HTTPContract
import VerdictDB
import VerdictReports

/// A run as the write side sees it: enough to decide what an upload may do.
public struct RunState: Sendable, Equatable {
    public var id: RunID
    public var projectID: ProjectID
    public var status: RunStatus
    public var totalReportsExpected: Int
    public var reportsCompleted: Int
    public var createdAt: String
    /// An orchestration owns the run: its workers upload as many reports as they run batches,
    /// and the orchestration, not a count of reports, decides when the run is complete.
    public var orchestrated: Bool

    static let columns = "id, project_id, status, total_reports_expected, reports_completed, rfc3339(created_at) AS created_at, orchestrated"

    init(_ row: Row) throws {
        id = try row.decode("id")
        projectID = try row.decode("project_id")
        status = try row.decode("status")
        totalReportsExpected = try row.decode("total_reports_expected")
        reportsCompleted = try row.decode("reports_completed")
        createdAt = try row.decode("created_at")
        orchestrated = try row.decode("orchestrated")
    }
}

/// Runs: found or created by their composite identity, reopened by late uploads, closed by the
/// last expected report or by the staleness reaper.
public struct RunService {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// The run with this identity, created when it does not exist yet. A later call that
    /// disagrees on the expected number of reports is refused: the shards of one run must agree
    /// on how many of them there are, or the run would complete early or never.
    /// - Parameters:
    ///   - expected: nil accepts whatever the run expects (1 for a new run).
    ///   - orchestrated: the run is (now) an orchestration's, which no count of reports completes.
    public func begin(_ identity: RunIdentity, for access: TeamAccess, expected: Int?, orchestrated: Bool = false) throws -> (
        run: RunState, created: Bool
    ) {
        let projectID = try self.projectID(access.teamID, name: identity.project)
        let parameters: [String?] = [
            projectID.text, identity.commit, identity.branch, identity.ciRunID, String(identity.ciRunAttempt), identity.name,
        ]
        let inserted = try db.query(
            """
            INSERT INTO runs (project_id, commit_sha, branch, ci_run_id, ci_run_attempt, name, total_reports_expected, orchestrated)
            VALUES ($1, $2, $3, $4, $5::integer, $6, $7::integer, $8::boolean)
            ON CONFLICT (project_id, commit_sha, branch, ci_run_id, ci_run_attempt, name) DO NOTHING
            RETURNING \(RunState.columns)
            """, parameters + [String(expected ?? 1), orchestrated ? "true" : "false"])
        if let row = inserted.first { return (try RunState(row), true) }

        guard
            let row = try db.query(
                """
                UPDATE runs SET last_activity_at = now(), orchestrated = orchestrated OR $7::boolean
                WHERE project_id = $1 AND commit_sha = $2 AND branch = $3 AND ci_run_id = $4 AND ci_run_attempt = $5::integer
                  AND name = $6
                RETURNING \(RunState.columns)
                """, parameters + [orchestrated ? "true" : "false"]
            ).first
        else {
            throw ServiceError.refused(.runChanged, "the run was deleted while it was being looked up; retry")
        }
        let run = try RunState(row)
        if let expected, !run.orchestrated, expected != run.totalReportsExpected {
            throw ServiceError.refused(
                .expectedReportsMismatch,
                "this run expects \(run.totalReportsExpected) report(s), not \(expected); every shard of a run must send the same total_reports_expected"
            )
        }
        return (run, false)
    }

    /// The run, if it exists and belongs to the team; `lock` holds its row until the
    /// transaction ends.
    func run(_ runID: RunID, for access: TeamAccess, lock: Bool = false) throws -> RunState {
        let row = try db.query(
            """
            SELECT r.id, r.project_id, r.status, r.total_reports_expected, r.reports_completed, rfc3339(r.created_at) AS created_at,
                r.orchestrated
            FROM runs r JOIN projects p ON p.id = r.project_id
            WHERE r.id = $1 AND p.team_id = $2\(lock ? " FOR UPDATE OF r" : "")
            """, [runID.text, access.teamID.text]
        ).first
        guard let row else { throw ServiceError.notFound(runID.named) }
        return try RunState(row)
    }

    private func projectID(_ teamID: TeamID, name: String) throws -> ProjectID {
        // DO UPDATE (a no-op write) rather than DO NOTHING, so the existing row's id comes back.
        try db.query(
            """
            INSERT INTO projects (team_id, name) VALUES ($1, $2)
            ON CONFLICT (team_id, name) DO UPDATE SET name = EXCLUDED.name
            RETURNING id
            """, [teamID.text, name]
        ).first!.decode("id")
    }
}

/// Marks runs that stopped receiving uploads `incomplete`, so a crashed pipeline does not leave
/// a run "running" forever. A late upload reopens such a run.
public struct StaleRunReaper {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func reap(idleMinutes: Int) throws -> [RunID] {
        try db.query(
            """
            UPDATE runs SET status = 'incomplete'
            WHERE status = 'running' AND NOT orchestrated AND last_activity_at < now() - make_interval(mins => $1::integer)
            RETURNING id
            """, [String(idleMinutes)]
        ).rows.map { try $0.decode("id") }
    }
}
