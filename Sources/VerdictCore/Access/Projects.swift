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
    /// Where its code lives (`https://github.com/org/repo`): pages link commits and CI runs there.
    public var repositoryURL: String?
    /// The branch others are compared against; nil when the project has not said.
    public var defaultBranch: String?
    public var createdAt: String
    /// Tests classified flaky are quarantined as runs complete (never broken ones).
    public var autoQuarantine: Bool = false
    /// Clean runs in a row after which an automatic quarantine is lifted.
    public var quarantineReleaseAfter: Int = 20

}

/// Links into a project's repository, on GitHub and the forges that share its paths.
public struct RepositoryLinks: Sendable {
    public let repositoryURL: String

    public init?(_ repositoryURL: String?) {
        guard let repositoryURL else { return nil }
        self.repositoryURL = repositoryURL
    }

    /// The page of a commit.
    public func commit(_ sha: String) -> String? {
        sha.isEmpty ? nil : "\(repositoryURL)/commit/\(sha)"
    }

    /// The page of a GitHub Actions run, when the CI run id is one (a number).
    public func ciRun(_ ciRunID: String, attempt: Int) -> String? {
        guard !ciRunID.isEmpty, ciRunID.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return "\(repositoryURL)/actions/runs/\(ciRunID)" + (attempt > 1 ? "/attempts/\(attempt)" : "")
    }
}

/// A change to a project; nil leaves a setting as it is.
public struct ProjectChange: Sendable {
    /// `.some(nil)` clears the project's own visibility (it follows the team again).
    public var isPublic: Bool??
    /// `.some(nil)` forgets the repository.
    public var repositoryURL: String??
    /// `.some(nil)` forgets the default branch (it is guessed again: `main`, else `master`).
    public var defaultBranch: String??
    public var autoQuarantine: Bool?
    public var quarantineReleaseAfter: Int?

    public init(
        isPublic: Bool?? = nil, repositoryURL: String?? = nil, defaultBranch: String?? = nil, autoQuarantine: Bool? = nil,
        quarantineReleaseAfter: Int? = nil
    ) {
        self.isPublic = isPublic
        self.repositoryURL = repositoryURL
        self.defaultBranch = defaultBranch
        self.autoQuarantine = autoQuarantine
        self.quarantineReleaseAfter = quarantineReleaseAfter
    }
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
    public func update(_ id: ProjectID, _ change: ProjectChange, for access: TeamAccess) throws -> ProjectRecord {
        if case .some(.some(let url)) = change.repositoryURL { try Self.validateRepository(url) }
        if let count = change.quarantineReleaseAfter, !(1...1000).contains(count) {
            throw ServiceError.invalid(field: "quarantine_release_after", reason: "must be a whole number from 1 to 1000")
        }
        if case .some(.some(let branch)) = change.defaultBranch { try Self.validateBranch(branch) }
        guard
            let row = try db.query(
                """
                WITH updated AS (
                    UPDATE projects SET
                        public = CASE WHEN $3::boolean THEN $4::boolean ELSE public END,
                        repository_url = CASE WHEN $5::boolean THEN $6 ELSE repository_url END,
                        default_branch = CASE WHEN $7::boolean THEN $8 ELSE default_branch END,
                        auto_quarantine = coalesce($9::boolean, auto_quarantine),
                        quarantine_release_after = coalesce($10::integer, quarantine_release_after)
                    WHERE id = $1 AND team_id = $2 RETURNING *
                )
                SELECT \(Self.columns) FROM updated p \(Visibility.join())
                """,
                [
                    id.text, access.teamID.text, change.isPublic == nil ? "false" : "true",
                    change.isPublic.flatMap { $0 }.map { $0 ? "true" : "false" }, change.repositoryURL == nil ? "false" : "true",
                    change.repositoryURL.flatMap { $0 }, change.defaultBranch == nil ? "false" : "true",
                    change.defaultBranch.flatMap { $0 }, change.autoQuarantine.map { $0 ? "true" : "false" },
                    change.quarantineReleaseAfter.map { String($0) },
                ]
            ).first
        else { throw ServiceError.notFound(id.named) }
        return try Self.record(row)
    }

    /// `https://host/owner/repo`: what links to commits and CI runs are made from.
    static func validateRepository(_ url: String) throws(ServiceError) {
        let parts = url.split(separator: "/", omittingEmptySubsequences: false)
        guard url.hasPrefix("https://"), parts.count == 5, parts[2...].allSatisfy({ !$0.isEmpty }), url.utf8.count <= 300,
            !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "?" || $0 == "#" || $0 == "\"" })
        else {
            throw .invalid(field: "repository", reason: "must be a repository's https URL, such as https://github.com/org/repo")
        }
    }

    /// A branch name as runs store it: 1 to 255 characters, no control characters.
    static func validateBranch(_ branch: String) throws(ServiceError) {
        guard (1...255).contains(branch.unicodeScalars.count),
            !branch.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw .invalid(field: "default_branch", reason: "must be a branch name: 1 to 255 characters, no control characters")
        }
    }

    static let columns = """
        p.id, p.team_id, p.name, coalesce(p.public, pt.projects_public) AS is_public, p.public AS public_override,
        p.repository_url, p.default_branch, rfc3339(p.created_at) AS created, p.auto_quarantine, p.quarantine_release_after
        """

    static func record(_ row: Row) throws -> ProjectRecord {
        ProjectRecord(
            id: try row.decode("id"), teamID: try row.decode("team_id"), name: try row.decode("name"),
            isPublic: try row.decode("is_public"), publicOverride: try row.decodeIfPresent("public_override"),
            repositoryURL: try row.decodeIfPresent("repository_url"), defaultBranch: try row.decodeIfPresent("default_branch"),
            createdAt: try row.decode("created"), autoQuarantine: try row.decode("auto_quarantine"),
            quarantineReleaseAfter: try row.decode("quarantine_release_after"))
    }
}
