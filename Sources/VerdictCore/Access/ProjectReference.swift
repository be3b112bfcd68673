import VerdictDB

/// How a path names a project: by its id, or by its name (`/projects/shop-web/trends`), which
/// is what people type. A name is unique within a team, not across teams.
public struct ProjectReference {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// A project the viewer may see. By name: the viewer's own team's project of that name,
    /// else the one visible project of that name; a name several other teams use is refused
    /// (the id is unambiguous).
    public func resolve(_ reference: String, as viewer: Viewer) throws -> ProjectID {
        let rows = try db.query(
            prepared:
                """
                SELECT p.id, p.team_id = $3::uuid AS own FROM projects p \(Visibility.join())
                WHERE (p.id = $1::uuid OR ($1::uuid IS NULL AND p.name = $2)) AND \(Visibility.condition(viewer: "$3"))
                ORDER BY own DESC, p.created_at LIMIT 2
                """, [ProjectID(reference)?.text, reference, viewer.parameter]
        ).rows
        guard let first = rows.first else { throw ServiceError.notFound("project \(reference)") }
        if rows.count > 1, try !first.decode("own", as: Bool.self) {
            throw ServiceError.invalid(field: "project", reason: "\"\(reference)\" names projects of several teams; give the project's id")
        }
        return try first.decode("id")
    }

    /// One of the caller's team's projects, by id or name.
    public func resolve(_ reference: String, for access: TeamAccess) throws -> ProjectID {
        guard
            let row = try db.query(
                prepared:
                    """
                    SELECT id FROM projects WHERE team_id = $3 AND (id = $1::uuid OR ($1::uuid IS NULL AND name = $2))
                    """, [ProjectID(reference)?.text, reference, access.teamID.text]
            ).first
        else { throw ServiceError.notFound("project \(reference)") }
        return try row.decode("id")
    }
}
