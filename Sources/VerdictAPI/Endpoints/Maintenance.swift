import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictJSON

/// The `migrate` function: applies pending migrations. The emulator invokes it at start; a
/// deploy invokes it once after the stack updates.
public struct Migrate: LambdaHandler {
    public init() {}

    public func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let db = try Database.shared()
        let migrator = Migrator(connection: db, migrations: Schema.migrations)
        let applied = try migrator.migrate()
        let versions = try migrator.appliedVersions()
        return JSON.object(
            JSONObject([
                ("applied", .array(applied.map { ["version": .int(Int64($0.version)), "name": .string($0.name)] })),
                ("schema_version", .int(Int64(versions.max() ?? 0))),
            ])
        ).serialized()
    }
}

/// The `seed` function: ensures the default team and a development key. Its event may be its
/// previous result (`{"key": "…", …}`, as the emulator passes it back); that key is kept while
/// it still works, so restarts do not mint a new key each time.
public struct Seed: LambdaHandler {
    public init() {}

    public func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let input = payload.isEmpty ? JSON.object(JSONObject()) : try JSON.parse(payload)
        let outcome = try BootstrapService(db: try Database.shared()).seed(existingKey: input["key"]?.stringValue)
        return JSON.object(
            JSONObject([
                ("team_id", .string(outcome.teamID)), ("team_created", .bool(outcome.teamCreated)),
                ("key", .string(outcome.key)), ("key_created", .bool(outcome.keyCreated)),
            ])
        ).serialized()
    }
}
