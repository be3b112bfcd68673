import VerdictDB

/// A quarantine: a test whose failures do not count against its runs until it is lifted or
/// expires. At most one is active per project and test; an expired one counts as lifted.
public struct QuarantineRecord: Sendable, Equatable {
    public var id: String
    public var projectID: ProjectID
    public var testID: TestID
    public var reason: String
    public var owner: String
    public var automatic: Bool
    public var createdAt: String
    public var expiresAt: String
    /// When it was lifted, or when it expired; nil while active.
    public var liftedAt: String?
    public var liftReason: String?
    public var active: Bool { liftedAt == nil }
}

/// A request to quarantine a test.
public struct QuarantineRequest: Sendable {
    public var testID: TestID
    public var reason: String
    public var owner: String
    /// RFC 3339; nil is 14 days from now.
    public var expiresAt: String?

    public init(testID: TestID, reason: String, owner: String, expiresAt: String?) {
        self.testID = testID
        self.reason = reason
        self.owner = owner
        self.expiresAt = expiresAt
    }
}

public struct QuarantineService {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public static let defaultDays = 14

    static let columns = """
        q.id, q.project_id, q.test_id, q.reason, q.owner, q.automatic, rfc3339(q.created_at) AS created,
        rfc3339(q.expires_at) AS expires, rfc3339(coalesce(q.lifted_at, CASE WHEN q.expires_at <= now() THEN q.expires_at END)) AS lifted,
        coalesce(q.lift_reason, CASE WHEN q.lifted_at IS NULL AND q.expires_at <= now() THEN 'expired' END) AS lift_reason
        """

    static func record(_ row: Row) throws -> QuarantineRecord {
        QuarantineRecord(
            id: try row.decode("id"), projectID: try row.decode("project_id"), testID: try row.decode("test_id"),
            reason: try row.decode("reason"), owner: try row.decode("owner"), automatic: try row.decode("automatic"),
            createdAt: try row.decode("created"), expiresAt: try row.decode("expires"), liftedAt: try row.decodeIfPresent("lifted"),
            liftReason: try row.decodeIfPresent("lift_reason"))
    }

    /// Marks the project's expired quarantines lifted (so the one-active index frees the test).
    private func settleExpired(projectID: String) throws {
        try db.query(
            prepared: """
                UPDATE quarantines SET lifted_at = expires_at, lift_reason = 'expired'
                WHERE project_id = $1 AND lifted_at IS NULL AND expires_at <= now()
                """, [projectID])
    }

    /// The active quarantines of some of a project's tests, by test id.
    public func active(projectID: String, tests: [String]) throws -> [String: QuarantineRecord] {
        guard !tests.isEmpty else { return [:] }
        let rows = try db.query(
            prepared: """
                SELECT \(Self.columns) FROM quarantines q
                WHERE q.project_id = $1 AND q.test_id = ANY ($2::uuid[]) AND q.lifted_at IS NULL AND q.expires_at > now()
                """, [projectID, postgresTextArray(tests)]
        ).rows
        var found: [String: QuarantineRecord] = [:]
        for row in rows {
            let record = try Self.record(row)
            found[record.testID.text] = record
        }
        return found
    }

    /// The active quarantine of one test of a project the viewer may see, if any.
    public func active(_ testID: TestID, as viewer: Viewer) throws -> QuarantineRecord? {
        try db.query(
            """
            SELECT \(Self.columns) FROM quarantines q JOIN projects p ON p.id = q.project_id \(Visibility.join())
            WHERE q.test_id = $1 AND q.lifted_at IS NULL AND q.expires_at > now() AND \(Visibility.condition(viewer: "$2"))
            """, [testID.text, viewer.parameter]
        ).first.map(Self.record)
    }

    func lift(_ id: String, reason: String) throws {
        try db.query("UPDATE quarantines SET lifted_at = now(), lift_reason = $2 WHERE id = $1 AND lifted_at IS NULL", [id, reason])
    }

    func quarantineAutomatically(projectID: String, testID: String, reason: String) throws {
        try settleExpired(projectID: projectID)
        try db.query(
            """
            INSERT INTO quarantines (project_id, test_id, reason, owner, automatic, expires_at)
            VALUES ($1, $2, $3, 'verdict', true, now() + make_interval(days => $4::integer))
            ON CONFLICT (project_id, test_id) WHERE lifted_at IS NULL DO NOTHING
            """, [projectID, testID, reason, String(Self.defaultDays)])
    }

    /// Quarantines a test of one of the team's projects; a test already quarantined answers its
    /// quarantine (`created` false). A test the project has never reported is not found.
    public func create(_ request: QuarantineRequest, project reference: String, for access: TeamAccess) throws -> (
        QuarantineRecord, created: Bool
    ) {
        try Self.validate(request.reason, field: "reason", maximum: 1000)
        try Self.validate(request.owner, field: "owner", maximum: 200)
        let expires = try request.expiresAt.map { try RFC3339.parse($0, field: "expires_at") }
        let project = try ProjectReference(db: db).lookup(reference, as: .team(access), ownedOnly: true)
        return try db.transaction {
            try settleExpired(projectID: project.id.text)
            if let existing = try active(projectID: project.id.text, tests: [request.testID.text])[request.testID.text] {
                return (existing, false)
            }
            guard try testExists(request.testID, in: project.id) else { throw ServiceError.notFound(request.testID.named) }
            let row = try db.query(
                """
                WITH q AS (
                    INSERT INTO quarantines (project_id, test_id, reason, owner, automatic, expires_at)
                    VALUES ($1, $2, $3, $4, false, coalesce($5::timestamptz, now() + make_interval(days => $6::integer)))
                    ON CONFLICT (project_id, test_id) WHERE lifted_at IS NULL DO NOTHING
                    RETURNING *
                )
                SELECT \(Self.columns), q.expires_at > now() AS future FROM q
                """,
                [project.id.text, request.testID.text, request.reason, request.owner, expires, String(Self.defaultDays)]
            ).first
            guard let row else {
                // A concurrent request quarantined it first.
                return (try active(projectID: project.id.text, tests: [request.testID.text])[request.testID.text]!, false)
            }
            guard try row.decode("future", as: Bool.self) else {
                throw ServiceError.invalid(field: "expires_at", reason: "must be in the future")
            }
            return (try Self.record(row), true)
        }
    }

    /// Whether the project has ever stored a result of the test: its watch list knows it, or its
    /// scope's spans lead to a case with its id in one of the project's runs.
    func testExists(_ testID: TestID, in projectID: ProjectID) throws -> Bool {
        try db.query(
            """
            SELECT EXISTS (SELECT 1 FROM test_flakiness WHERE project_id = $1 AND test_id = $2)
                OR EXISTS (
                    SELECT 1 FROM test_scope_spans s JOIN runs r ON r.id = s.run_id AND r.project_id = $1
                    JOIN cases c ON c.run_id = s.run_id AND c.report_id = s.report_id
                        AND c.ordinal BETWEEN s.first_ordinal AND s.last_ordinal AND c.test_id = $2
                    WHERE s.scope = test_scope($2::uuid)
                ) AS found
            """, [projectID.text, testID.text]
        ).first!.decode("found")
    }

    /// Lifts the test's active quarantine; not found when there is none.
    public func lift(_ testID: TestID, project reference: String, reason: String?, for access: TeamAccess) throws -> QuarantineRecord {
        let project = try ProjectReference(db: db).lookup(reference, as: .team(access), ownedOnly: true)
        try settleExpired(projectID: project.id.text)
        guard
            let row = try db.query(
                """
                WITH q AS (
                    UPDATE quarantines SET lifted_at = now(), lift_reason = $3
                    WHERE project_id = $1 AND test_id = $2 AND lifted_at IS NULL RETURNING *
                )
                SELECT \(Self.columns) FROM q
                """, [project.id.text, testID.text, reason ?? "lifted"]
            ).first
        else { throw ServiceError.notFound("active quarantine of test \(testID.text)") }
        return try Self.record(row)
    }

    /// The project's quarantines, newest first: the active ones, or with `includeLifted` all.
    public func list(project reference: String, includeLifted: Bool, as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws
        -> Page<QuarantineRecord>
    {
        let project = try ProjectReference(db: db).lookup(reference, as: viewer)
        let position = try ReadCursor.timestamp(cursor)
        let rows = try db.query(
            """
            SELECT \(Self.columns), rfc3339(q.created_at) AS sort_key FROM quarantines q
            WHERE q.project_id = $1 AND ($2::boolean OR (q.lifted_at IS NULL AND q.expires_at > now()))
              AND ($3::timestamptz IS NULL OR (q.created_at, q.id) < ($3::timestamptz, $4::uuid))
            ORDER BY q.created_at DESC, q.id DESC
            LIMIT $5
            """, [project.id.text, includeLifted ? "true" : "false", position?.createdAt, position?.id, String(limit + 1)]
        ).rows
        return try Page.from(rows, limit: limit, item: Self.record) {
            PageCursor(sortKey: try $0.decode("sort_key"), id: try $0.decode("id"))
        }
    }

    /// Required text (a reason, an owner): one line's worth of characters, not empty.
    static func validate(_ text: String, field: String, maximum: Int) throws(ServiceError) {
        guard !text.isEmpty else { throw .invalid(field: field, reason: "must be 1 to \(maximum) characters") }
        _ = try NameText.validate(text, field: field, maximum: maximum)
    }
}
