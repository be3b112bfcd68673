import VerdictDB
import VerdictInsights
import VerdictJSON

public enum GateKind: IDKind { public static let noun = "quality gate" }
public typealias GateID = ID<GateKind>

/// A project's quality gate: a named list of rules a run must meet.
public struct QualityGate: Sendable {
    public var id: GateID
    public var projectID: ProjectID
    public var name: String
    public var rules: [GateRule]
    public var enabled: Bool
    public var createdAt: String
    public var updatedAt: String
}

/// A change to a gate; nil leaves a field as it is.
public struct GateChange: Sendable {
    public var name: String?
    public var rules: [GateRule]?
    public var enabled: Bool?

    public init(name: String? = nil, rules: [GateRule]? = nil, enabled: Bool? = nil) {
        self.name = name
        self.rules = rules
        self.enabled = enabled
    }
}

/// The gates of a project: read by whoever sees the project, written by its team.
public struct QualityGates {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public static let maximumGates = 50
    public static let maximumRules = 50

    public func list(_ projectID: ProjectID, as viewer: Viewer) throws -> [QualityGate] {
        try db.query(
            """
            SELECT \(Self.columns) FROM quality_gates g JOIN projects p ON p.id = g.project_id \(Visibility.join())
            WHERE g.project_id = $1 AND \(Visibility.condition(viewer: "$2"))
            ORDER BY g.created_at, g.id
            """, [projectID.text, viewer.parameter]
        ).rows.map(Self.gate)
    }

    public func get(_ gateID: GateID, of projectID: ProjectID, as viewer: Viewer) throws -> QualityGate {
        guard let gate = try list(projectID, as: viewer).first(where: { $0.id == gateID }) else {
            throw ServiceError.notFound(gateID.named)
        }
        return gate
    }

    /// A new gate; the same name with the same rules again is the gate as it is (`created`
    /// false), with other rules 409 `gate_exists`.
    public func create(_ projectID: ProjectID, name: String, rules: [GateRule], enabled: Bool, for access: TeamAccess) throws -> (
        gate: QualityGate, created: Bool
    ) {
        let name = try Self.validate(name: name, rules: rules)
        return try db.transaction {
            guard
                try db.query("SELECT 1 FROM projects WHERE id = $1 AND team_id = $2 FOR UPDATE", [projectID.text, access.teamID.text])
                    .first != nil
            else { throw ServiceError.notFound(projectID.named) }
            if let existing = try db.query(
                "SELECT \(Self.columns) FROM quality_gates g WHERE g.project_id = $1 AND g.name = $2", [projectID.text, name]
            ).first.map(Self.gate) {
                guard existing.rules == rules, existing.enabled == enabled else {
                    throw ServiceError.refused(
                        .gateExists, "the project has a gate named \"\(name)\" (\(existing.id.text)) with other rules; PATCH it instead")
                }
                return (existing, false)
            }
            let count: Int = try db.query("SELECT count(*) AS n FROM quality_gates WHERE project_id = $1", [projectID.text]).first!
                .decode("n")
            guard count < Self.maximumGates else {
                throw ServiceError.invalid(field: "name", reason: "the project has \(count) gates already; at most \(Self.maximumGates)")
            }
            let row = try db.query(
                """
                INSERT INTO quality_gates AS g (project_id, name, rules, enabled) VALUES ($1, $2, $3::jsonb, $4::boolean)
                RETURNING \(Self.columns)
                """, [projectID.text, name, Self.rulesText(rules), enabled ? "true" : "false"]
            ).first!
            return (try Self.gate(row), true)
        }
    }

    public func update(_ gateID: GateID, of projectID: ProjectID, _ change: GateChange, for access: TeamAccess) throws -> QualityGate {
        if let name = change.name { _ = try Self.validate(name: name, rules: change.rules ?? []) }
        if let rules = change.rules { _ = try Self.validate(name: change.name ?? "gate", rules: rules) }
        do {
            guard
                let row = try db.query(
                    """
                    UPDATE quality_gates g SET name = coalesce($4, g.name), rules = coalesce($5::jsonb, g.rules),
                        enabled = coalesce($6::boolean, g.enabled), updated_at = now()
                    FROM projects p WHERE g.id = $1 AND g.project_id = $2 AND p.id = g.project_id AND p.team_id = $3
                    RETURNING \(Self.columns)
                    """,
                    [
                        gateID.text, projectID.text, access.teamID.text, change.name?.trimmed(), change.rules.map(Self.rulesText),
                        change.enabled.map { $0 ? "true" : "false" },
                    ]
                ).first
            else { throw ServiceError.notFound(gateID.named) }
            return try Self.gate(row)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw ServiceError.refused(.gateExists, "the project has another gate named \"\(change.name ?? "")\"")
        }
    }

    public func delete(_ gateID: GateID, of projectID: ProjectID, for access: TeamAccess) throws {
        let deleted = try db.query(
            """
            DELETE FROM quality_gates g USING projects p
            WHERE g.id = $1 AND g.project_id = $2 AND p.id = g.project_id AND p.team_id = $3
            """, [gateID.text, projectID.text, access.teamID.text]
        ).affectedRows
        guard deleted == 1 else { throw ServiceError.notFound(gateID.named) }
    }

    static func validate(name: String, rules: [GateRule]) throws(ServiceError) -> String {
        let name = try NameText.validate(name.trimmed(), field: "name", maximum: 100)
        guard !name.isEmpty else { throw .invalid(field: "name", reason: "is required") }
        guard rules.count <= maximumRules else {
            throw .invalid(field: "rules", reason: "holds \(rules.count) rules; at most \(maximumRules)")
        }
        return name
    }

    static func rulesText(_ rules: [GateRule]) -> String {
        String(decoding: JSON.array(rules.map(\.json)).serialized(), as: UTF8.self)
    }

    static let columns = """
        g.id, g.project_id, g.name, g.rules::text AS rules, g.enabled, rfc3339(g.created_at) AS created, rfc3339(g.updated_at) AS updated
        """

    static func gate(_ row: Row) throws -> QualityGate {
        let stored = try row.json("rules").arrayValue ?? []
        let rules = try stored.enumerated().map { index, rule throws(ServiceError) in try GateRule(json: rule, field: "rules[\(index)]") }
        return QualityGate(
            id: try row.decode("id"), projectID: try row.decode("project_id"), name: try row.decode("name"), rules: rules,
            enabled: try row.decode("enabled"), createdAt: try row.decode("created"), updatedAt: try row.decode("updated"))
    }
}
