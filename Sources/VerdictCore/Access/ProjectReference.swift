import VerdictDB

/// How a path names a project: by its id, or by its name (`/projects/shop-web/trends`), which
/// is what people type. A name is unique within a team, not across teams.
public struct ProjectReference {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// The project found, with the settings the insights need.
    public struct Resolved: Sendable {
        public var id: ProjectID
        public var name: String
        public var teamID: TeamID
        public var autoQuarantine: Bool
        public var releaseAfter: Int
    }

    /// A project the viewer may see (with `ownedOnly`, one of the viewer's team's). By name: the
    /// viewer's own team's project of that name, else the one visible project of that name; a
    /// name several other teams use is refused (the id is unambiguous).
    public func lookup(_ reference: String, as viewer: Viewer, ownedOnly: Bool = false) throws -> Resolved {
        guard !reference.isEmpty, reference.utf8.count <= 200,
            !reference.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw ServiceError.notFound("project \(reference)") }
        let rows = try db.query(
            prepared:
                """
                SELECT p.id, p.name, p.team_id, p.auto_quarantine, p.quarantine_release_after,
                    p.team_id IS NOT DISTINCT FROM $3::uuid AS own
                FROM projects p \(Visibility.join())
                WHERE (p.id = $1::uuid OR ($1::uuid IS NULL AND p.name = $2))
                  AND (CASE WHEN $4::boolean THEN p.team_id = $3::uuid ELSE \(Visibility.condition(viewer: "$3")) END)
                ORDER BY own DESC, p.created_at LIMIT 2
                """, [ProjectID(reference)?.text, reference, viewer.parameter, ownedOnly ? "true" : "false"]
        ).rows
        guard let first = rows.first else { throw ServiceError.notFound("project \(reference)") }
        if rows.count > 1, try !first.decode("own", as: Bool.self) {
            throw ServiceError.invalid(field: "project", reason: "\"\(reference)\" names projects of several teams; give the project's id")
        }
        return Resolved(
            id: try first.decode("id"), name: try first.decode("name"), teamID: try first.decode("team_id"),
            autoQuarantine: try first.decode("auto_quarantine"), releaseAfter: try first.decode("quarantine_release_after"))
    }

    public func resolve(_ reference: String, as viewer: Viewer) throws -> ProjectID { try lookup(reference, as: viewer).id }

    /// One of the caller's team's projects, by id or name.
    public func resolve(_ reference: String, for access: TeamAccess) throws -> ProjectID {
        try lookup(reference, as: .team(access), ownedOnly: true).id
    }
}
