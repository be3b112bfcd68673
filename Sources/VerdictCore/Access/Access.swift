import VerdictDB

/// What an API key may do. `read` covers every GET, `write` ingestion and orchestration,
/// `admin` the team's keys and settings.
public enum Scope: String, Sendable, CaseIterable, PostgresTextDecodable {
    case read, write, admin
}

/// A team as its members see it.
public struct Team: Sendable, Equatable {
    public var id: TeamID
    public var slug: String
    public var name: String
    /// Whether a project of the team is public unless the project says otherwise.
    public var projectsPublicByDefault: Bool
}

/// The right to act for one team, proven by one of its API keys. Only authentication makes
/// one (its initializer is internal), and every service that touches a team's data takes one,
/// so a handler that skipped authentication has nothing to pass and does not compile.
public struct TeamAccess: Sendable, Equatable {
    public let team: Team
    public let keyID: APIKeyID
    public let keyName: String
    public let scopes: [Scope]

    init(team: Team, keyID: APIKeyID, keyName: String, scopes: [Scope]) {
        self.team = team
        self.keyID = keyID
        self.keyName = keyName
        self.scopes = scopes
    }

    public var teamID: TeamID { team.id }
    public func has(_ scope: Scope) -> Bool { scopes.contains(scope) }
}

/// Who is reading: anyone (who sees public projects only) or a team's key (which also sees
/// the team's private projects). Reads take a viewer, writes a `TeamAccess`.
public enum Viewer: Sendable, Equatable {
    case anonymous
    case team(TeamAccess)

    public var teamID: TeamID? {
        if case .team(let access) = self { return access.teamID }
        return nil
    }
}
