import VerdictDB

/// A project's rule that names failure clusters: the first rule whose pattern (a
/// case-insensitive PostgreSQL regular expression) matches a cluster's template or error type
/// gives the cluster its category ("infrastructure", "product bug").
public struct FailureCategory: Sendable, Equatable {
    public var name: String
    public var pattern: String

    public init(name: String, pattern: String) {
        self.name = name
        self.pattern = pattern
    }
}

/// Reads and replaces a project's category rules. They are applied when clusters are read, so a
/// change names old clusters as well as new ones.
public struct FailureCategories {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public static let maximumRules = 50

    /// The rules in the order they are tried.
    public func list(_ projectID: ProjectID, as viewer: Viewer) throws -> [FailureCategory] {
        guard
            try db.query(
                """
                SELECT 1 FROM projects p \(Visibility.join()) WHERE p.id = $1 AND \(Visibility.condition(viewer: "$2"))
                """, [projectID.text, viewer.parameter]
            ).first != nil
        else { throw ServiceError.notFound(projectID.named) }
        return try rules(projectID)
    }

    /// Replaces the rules with `rules`, in that order. Only the project's team may.
    public func replace(_ projectID: ProjectID, with rules: [FailureCategory], for access: TeamAccess) throws -> [FailureCategory] {
        guard rules.count <= Self.maximumRules else {
            throw ServiceError.invalid(field: "categories", reason: "holds \(rules.count) rules; at most \(Self.maximumRules)")
        }
        for (index, rule) in rules.enumerated() {
            // Counted as PostgreSQL and JSON Schema count: in code points.
            guard (1...100).contains(rule.name.unicodeScalars.count) else {
                throw ServiceError.invalid(field: "categories[\(index)].name", reason: "must be 1 to 100 characters")
            }
            guard (1...1000).contains(rule.pattern.unicodeScalars.count) else {
                throw ServiceError.invalid(field: "categories[\(index)].pattern", reason: "must be 1 to 1,000 characters")
            }
            _ = try NameText.validate(rule.name, field: "categories[\(index)].name", maximum: 100)
            guard !rule.pattern.unicodeScalars.contains(where: { $0.value == 0 }) else {
                throw ServiceError.invalid(field: "categories[\(index)].pattern", reason: "must not contain NUL")
            }
        }
        return try db.transaction {
            guard
                try db.query("SELECT 1 FROM projects WHERE id = $1 AND team_id = $2 FOR UPDATE", [projectID.text, access.teamID.text])
                    .first != nil
            else { throw ServiceError.notFound(projectID.named) }
            for (index, rule) in rules.enumerated() {
                // PostgreSQL is the one that will run the pattern: it is the one to ask.
                do {
                    try db.query("SELECT '' ~* $1 AS matches", [rule.pattern])
                } catch let error as DatabaseError where error.sqlState == "2201B" {
                    throw ServiceError.invalid(
                        field: "categories[\(index)].pattern", reason: "is not a regular expression: \(error.message)")
                }
            }
            try db.query("DELETE FROM failure_categories WHERE project_id = $1", [projectID.text])
            try db.query(
                """
                INSERT INTO failure_categories (project_id, position, name, pattern)
                SELECT $1, r.position - 1, r.name, r.pattern FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r (name, pattern, position)
                """, [projectID.text, postgresTextArray(rules.map(\.name)), postgresTextArray(rules.map(\.pattern))])
            return try self.rules(projectID)
        }
    }

    private func rules(_ projectID: ProjectID) throws -> [FailureCategory] {
        try db.query("SELECT name, pattern FROM failure_categories WHERE project_id = $1 ORDER BY position", [projectID.text]).rows
            .map { FailureCategory(name: try $0.decode("name"), pattern: try $0.decode("pattern")) }
    }
}
