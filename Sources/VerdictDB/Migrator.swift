/// One forward-only schema change. Versions are applied in order, each in its own transaction,
/// and never edited once released: a fix is a new migration.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String
    /// What SQL cannot do, run after `sql` in the same transaction: a value only the
    /// application knows how to compute (a migration of this kind lives beside that code).
    public var data: (@Sendable (PostgresConnection) throws -> Void)?

    public init(version: Int, name: String, sql: String, data: (@Sendable (PostgresConnection) throws -> Void)? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.data = data
    }
}

public struct Migrator {
    public let connection: PostgresConnection
    public let migrations: [Migration]

    /// `migrations`: the whole schema, `Migrations.sqlOnly` and those of the modules above this one.
    public init(connection: PostgresConnection, migrations: [Migration]) {
        self.connection = connection
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies whatever is pending and returns the versions it applied. An advisory lock keeps
    /// two migrators (two emulators, or a deploy racing a cold start) from interleaving.
    @discardableResult
    public func migrate() throws -> [Migration] {
        try connection.query("SELECT pg_advisory_lock(7302781)")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(7302781)") }
        try connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(try connection.query("SELECT version FROM schema_migrations").rows.map { try $0.decode("version", as: Int.self) })
        if let unknown = applied.subtracting(migrations.map(\.version)).max(), unknown > (migrations.last?.version ?? 0) {
            throw MigrationError.databaseIsNewer(version: unknown)
        }
        var done: [Migration] = []
        for migration in migrations where !applied.contains(migration.version) {
            try connection.transaction {
                try connection.runScript(migration.sql)
                try migration.data?(connection)
                try connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [String(migration.version), migration.name])
            }
            done.append(migration)
        }
        return done
    }

    public func appliedVersions() throws -> [Int] {
        try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows.map { try $0.decode("version", as: Int.self) }
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case databaseIsNewer(version: Int)

    public var description: String {
        switch self {
        case .databaseIsNewer(let version):
            return "the database has migration \(version), which this build does not know: deploy a newer build"
        }
    }
}
