import VerdictDB

/// A project as the API shows it.
public struct ProjectRecord: Sendable, Equatable {
    public var id: ProjectID
    public var teamID: TeamID
    public var name: String
    /// Whether anyone may read it: its own setting, else its team's default.
    public var isPublic: Bool
    /// The project's own setting; nil follows the team's default.
    public var publicOverride: Bool?
    public var createdAt: String
}

/// Projects are made by the first upload that names them; this lists them and sets who may
/// read them.
public struct ProjectService {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// The projects the viewer may see, newest first.
    public func list(as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws -> Page<ProjectRecord> {
        let position = try ReadCursor.timestamp(cursor)
        let rows = try db.query(
            """
            SELECT \(Self.columns), rfc3339(p.created_at) AS sort_key FROM projects p \(Visibility.join())
            WHERE \(Visibility.condition(viewer: "$1"))
              AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2::timestamptz, $3::uuid))
            ORDER BY p.created_at DESC, p.id DESC
            LIMIT $4
            """, [viewer.parameter, position?.createdAt, position?.id, String(limit + 1)]
        ).rows
        return try Page.from(rows, limit: limit, item: Self.record) {
            PageCursor(sortKey: try $0.decode("sort_key"), id: try $0.decode("id"))
        }
    }

    /// Sets (or with nil, clears) a project's own visibility. Only the project's team may.
    public func setPublic(_ isPublic: Bool?, project id: ProjectID, for access: TeamAccess) throws -> ProjectRecord {
        guard
            let row = try db.query(
                """
                WITH updated AS (
                    UPDATE projects SET public = $3::boolean WHERE id = $1 AND team_id = $2 RETURNING *
                )
                SELECT \(Self.columns) FROM updated p \(Visibility.join())
                """, [id.text, access.teamID.text, isPublic.map { $0 ? "true" : "false" }]
            ).first
        else { throw ServiceError.notFound(id.named) }
        return try Self.record(row)
    }

    static let columns = """
        p.id, p.team_id, p.name, coalesce(p.public, pt.projects_public) AS is_public, p.public AS public_override,
        rfc3339(p.created_at) AS created
        """

    static func record(_ row: Row) throws -> ProjectRecord {
        ProjectRecord(
            id: try row.decode("id"), teamID: try row.decode("team_id"), name: try row.decode("name"),
            isPublic: try row.decode("is_public"), publicOverride: try row.decodeIfPresent("public_override"),
            createdAt: try row.decode("created"))
    }
}
