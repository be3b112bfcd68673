import VerdictDB

/// The whole schema: VerdictDB's SQL migrations, then those that need this module's code.
public enum Schema {
    public static let migrations: [Migration] = Migrations.sqlOnly + [migration0008TestIDScopePrefix]
}
