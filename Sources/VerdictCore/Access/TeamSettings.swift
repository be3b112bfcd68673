import VerdictDB

/// A team's own settings; only its admins change them (the handler asks for the admin scope).
public struct TeamSettings {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func team(_ access: TeamAccess) throws -> Team {
        guard let row = try db.query("SELECT \(Self.columns) FROM teams WHERE id = $1", [access.teamID.text]).first else {
            throw ServiceError.notFound(access.teamID.named)
        }
        return try Self.team(row)
    }

    /// Changes whether the team's projects without a setting of their own are public.
    public func setProjectsPublicByDefault(_ isPublic: Bool, for access: TeamAccess) throws -> Team {
        guard
            let row = try db.query(
                "UPDATE teams SET projects_public = $2::boolean WHERE id = $1 RETURNING \(Self.columns)",
                [access.teamID.text, isPublic ? "true" : "false"]
            ).first
        else { throw ServiceError.notFound(access.teamID.named) }
        return try Self.team(row)
    }

    static let columns = "id, slug, name, projects_public"

    static func team(_ row: Row) throws -> Team {
        Team(
            id: try row.decode("id"), slug: try row.decode("slug"), name: try row.decode("name"),
            projectsPublicByDefault: try row.decode("projects_public"))
    }
}
