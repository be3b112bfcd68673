import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON

/// `GET /ready`: readiness. Ready means the database answers and its schema is the one this
/// build expects.
public struct Ready: HTTPHandler {
    public init() {}

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let expected = Schema.migrations.map(\.version).max() ?? 0
        let applied: Int
        do {
            let db = try Database.shared()
            applied = try db.query("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").first?.int("v") ?? 0
        } catch {
            // 42P01: schema_migrations does not exist, so nothing was ever migrated.
            if error.sqlState == "42P01" {
                throw APIError(.notReady, "the database schema is not migrated yet")
            }
            throw APIError(.notReady, "the database is unreachable: \(error.message)")
        }
        guard applied >= expected else {
            throw APIError(.notReady, "the database schema is at version \(applied), this build needs \(expected)")
        }
        return .json(
            ["status": "ready", "database": "ok", "schema_version": .int(Int64(applied))], headers: [("cache-control", "no-store")])
    }
}
