import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON

/// `GET /ready`: readiness. Ready means the database answers and its schema is the one this
/// build expects.
public struct Ready: Endpoint {
    public typealias Access = Anyone

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Anyone.Granted>) async throws -> HTTPResponse {
        let expected = Schema.migrations.map(\.version).max() ?? 0
        let applied: Int
        do {
            applied = try Migrator(connection: try context.database(), migrations: Schema.migrations).appliedVersions().max() ?? 0
        } catch let error as DatabaseError {
            // 42P01: schema_migrations does not exist, so nothing was ever migrated.
            if error.sqlState == "42P01" { throw APIError(.notReady, "the database schema is not migrated yet") }
            throw APIError(.notReady, "the database is unreachable: \(error.message)")
        } catch let error as APIError {
            throw APIError(.notReady, error.message)
        }
        guard applied >= expected else {
            throw APIError(.notReady, "the database schema is at version \(applied), this build needs \(expected)")
        }
        return .json(
            ["status": "ready", "database": "ok", "schema_version": .int(Int64(applied))], headers: [("cache-control", "no-store")])
    }
}
