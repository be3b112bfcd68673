import VerdictCore
import VerdictDB
import VerdictJSON

/// The `migrate` function: applies pending migrations. The emulator invokes it at start; a
/// deploy invokes it once after the stack updates.
public struct Migrate: Job {
    public init() {}

    public func run(_ event: JSON, context: InvocationContext<Platform>) async throws -> JSON {
        let migrator = Migrator(connection: try context.database(), migrations: Schema.migrations)
        let applied = try migrator.migrate()
        let versions = try migrator.appliedVersions()
        if !applied.isEmpty { context.logger.info("applied migrations", metadata: ["versions": "\(applied.map(\.version))"]) }
        return .object(
            JSONObject([
                ("applied", .array(applied.map { ["version": .int(Int64($0.version)), "name": .string($0.name)] })),
                ("schema_version", .int(Int64(versions.max() ?? 0))),
            ]))
    }
}

/// The `seed` function: ensures the default team and a development key. Its event may be its
/// previous result (`{"key": "…", …}`, as the emulator passes it back); that key is kept while
/// it still works, so restarts do not mint a new key each time.
public struct Seed: Job {
    public init() {}

    public func run(_ event: JSON, context: InvocationContext<Platform>) async throws -> JSON {
        let outcome = try BootstrapService(db: try context.database()).seed(existingKey: event["key"]?.stringValue)
        return .object(
            JSONObject([
                ("team_id", .string(outcome.teamID.text)), ("team_created", .bool(outcome.teamCreated)),
                ("key", .string(outcome.key)), ("key_created", .bool(outcome.keyCreated)),
            ]))
    }
}

/// The scheduled staleness reaper: runs without uploads for `STALE_RUN_MINUTES` become
/// `incomplete`.
public struct ReapStaleRuns: Job {
    public init() {}

    public func run(_ event: JSON, context: InvocationContext<Platform>) async throws -> JSON {
        let minutes = context.settings.staleRunMinutes
        let reaped = try StaleRunReaper(db: try context.database()).reap(idleMinutes: minutes)
        if !reaped.isEmpty {
            context.logger.info("marked runs incomplete", metadata: ["count": "\(reaped.count)", "idle_minutes": "\(minutes)"])
        }
        for runID in reaped { context.publish(.runIncomplete, run: runID) }
        return .object(JSONObject([("marked_incomplete", .array(reaped.map { .string($0.text) })), ("idle_minutes", JSON(minutes))]))
    }
}
