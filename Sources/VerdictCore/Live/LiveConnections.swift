import VerdictDB

/// The WebSocket clients of the live API: who connected (anonymously or with a team's key)
/// and what each follows. A connection may follow only what its viewer may read.
public struct LiveConnections {
    public enum Subject: Sendable, Equatable {
        case run(RunID)
        case project(ProjectID)
    }

    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Remembers a new connection (a reconnect under the same id starts afresh).
    public func connect(_ connectionID: String, as viewer: Viewer) throws {
        guard (1...128).contains(connectionID.utf8.count) else {
            throw ServiceError.invalid(field: "connectionId", reason: "must be 1 to 128 characters")
        }
        try db.query(
            """
            INSERT INTO live_connections (id, team_id) VALUES ($1, $2::uuid)
            ON CONFLICT (id) DO UPDATE SET team_id = EXCLUDED.team_id, connected_at = now()
            """, [connectionID, viewer.parameter])
        try db.query("DELETE FROM live_subscriptions WHERE connection_id = $1", [connectionID])
    }

    public func disconnect(_ connectionID: String) throws {
        try db.query("DELETE FROM live_connections WHERE id = $1", [connectionID])
    }

    /// Follows a run or a project, if the connection's viewer may read it: a hidden subject is
    /// "not found" here as on every read.
    public func subscribe(_ connectionID: String, to subject: Subject) throws {
        let column: String
        let id: String
        let source: String
        switch subject {
        case .run(let runID):
            (column, id) = ("run_id", runID.text)
            source = "runs r JOIN projects p ON p.id = r.project_id \(Visibility.join()) WHERE r.id = $2::uuid"
        case .project(let projectID):
            (column, id) = ("project_id", projectID.text)
            source = "projects p \(Visibility.join()) WHERE p.id = $2::uuid"
        }
        let inserted = try db.query(
            """
            INSERT INTO live_subscriptions (connection_id, \(column))
            SELECT c.id, $2::uuid FROM live_connections c, \(source)
              AND c.id = $1 AND \(Visibility.condition(viewer: "c.team_id"))
            ON CONFLICT DO NOTHING
            RETURNING 1
            """, [connectionID, id])
        if inserted.rows.isEmpty {
            let existing = try db.query(
                "SELECT 1 FROM live_subscriptions WHERE connection_id = $1 AND \(column) = $2::uuid", [connectionID, id])
            guard existing.first != nil else {
                switch subject {
                case .run(let runID): throw ServiceError.notFound(runID.named)
                case .project(let projectID): throw ServiceError.notFound(projectID.named)
                }
            }
        }
    }
}
