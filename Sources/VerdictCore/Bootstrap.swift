import VerdictDB

/// First-start set-up: the default team and a development key, so a new installation is usable
/// the moment it starts.
public struct BootstrapService {
    public static let defaultTeamSlug = "default"
    public static let developmentKeyName = "development"

    public struct Outcome: Sendable {
        public var teamID: TeamID
        public var teamCreated: Bool
        /// The development key: the one the caller already holds when it is still valid,
        /// otherwise a new one.
        public var key: String
        public var keyCreated: Bool
    }

    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Ensures the default team exists and that `existingKey` (if any) still works for it;
    /// mints a new all-scopes development key otherwise.
    public func seed(existingKey: String?) throws -> Outcome {
        try db.transaction {
            let inserted = try db.query(
                "INSERT INTO teams (slug, name) VALUES ($1, 'Default team') ON CONFLICT (slug) DO NOTHING RETURNING id",
                [Self.defaultTeamSlug])
            let row = try inserted.first ?? db.query("SELECT id FROM teams WHERE slug = $1", [Self.defaultTeamSlug]).first!
            let teamID = try row.decode("id", as: TeamID.self)
            let keys = APIKeyService(db: db)
            if let existingKey, let access = try keys.authenticate(existingKey), access.teamID == teamID {
                return Outcome(teamID: teamID, teamCreated: !inserted.rows.isEmpty, key: existingKey, keyCreated: false)
            }
            let created = try keys.create(teamID: teamID, name: Self.developmentKeyName, scopes: Scope.allCases)
            return Outcome(teamID: teamID, teamCreated: !inserted.rows.isEmpty, key: created.secret, keyCreated: true)
        }
    }
}
