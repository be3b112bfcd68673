import Foundation
import VerdictCore
import VerdictDB
import XCTest

/// The real template's functions behind the real emulator, against the test database:
/// health, readiness, key authentication and key management.
final class APIKeysEndToEndTests: TemplateEmulatorTestCase {
    var admin: [String: String] { ["X-API-Key": Self.developmentKey] }

    func testStartupMigratedAndPrintedADevelopmentKey() throws {
        XCTAssertTrue(Self.developmentKey.hasPrefix("vd_"), "seed did not return a key")
        XCTAssertFalse(Self.emulator.lines(containing: "[startup] MigrateFunction").isEmpty)
        XCTAssertFalse(Self.emulator.lines(containing: "development API key: \(Self.developmentKey)").isEmpty)
    }

    func testHealthAndReady() async throws {
        let health = try await HTTPClient.send("GET", "\(base)/health")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(try health.json()["status"] as? String, "ok")
        let ready = try await HTTPClient.send("GET", "\(base)/ready")
        XCTAssertEqual(ready.status, 200, ready.text)
        XCTAssertEqual(try ready.json()["database"] as? String, "ok")
        XCTAssertEqual(try ready.json()["schema_version"] as? Int, Schema.migrations.last?.version, "every migration applied")
    }

    func testUnmatchedRouteIsAPIGatewayNotFound() async throws {
        let response = try await HTTPClient.send("GET", "\(base)/no/such/route")
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(try response.json()["message"] as? String, "Not Found")
        let wrongMethod = try await HTTPClient.send("POST", "\(base)/health")
        XCTAssertEqual(wrongMethod.status, 404)
    }

    func testMeRequiresAValidKey() async throws {
        let missing = try await HTTPClient.send("GET", "\(base)/api/v1/me")
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(missing.errorCode(), "unauthorized")
        let bad = try await HTTPClient.send(
            "GET", "\(base)/api/v1/me", headers: ["X-API-Key": "vd_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"])
        XCTAssertEqual(bad.status, 401)
        XCTAssertEqual(bad.errorCode(), "unauthorized")
        let garbage = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: ["Authorization": "Bearer nonsense"])
        XCTAssertEqual(garbage.status, 401)

        let viaHeader = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: admin)
        XCTAssertEqual(viaHeader.status, 200, viaHeader.text)
        let me = try viaHeader.json()
        XCTAssertEqual((me["team"] as? [String: Any])?["slug"] as? String, "default")
        XCTAssertEqual(me["scopes"] as? [String], ["read", "write", "admin"])
        let viaBearer = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: ["Authorization": "Bearer \(Self.developmentKey)"])
        XCTAssertEqual(viaBearer.status, 200)
    }

    func testKeyLifecycle() async throws {
        let created = try await HTTPClient.send(
            "POST", "\(base)/api/v1/keys", headers: admin, body: Data(#"{"name":"ci runner","scopes":["write"]}"#.utf8))
        XCTAssertEqual(created.status, 201, created.text)
        let key = try created.json()
        let secret = try XCTUnwrap(key["key"] as? String)
        let id = try XCTUnwrap(key["id"] as? String)
        XCTAssertEqual(key["scopes"] as? [String], ["write"])
        XCTAssertTrue(secret.contains(key["prefix"] as? String ?? "?"))
        XCTAssertEqual(created.headers["location"], "/api/v1/keys/\(id)")

        // The new key authenticates but holds only `write`: reading is forbidden.
        let forbidden = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: ["X-API-Key": secret])
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual(forbidden.errorCode(), "forbidden")

        // Listing never shows a secret again.
        let list = try await HTTPClient.send("GET", "\(base)/api/v1/keys", headers: admin)
        XCTAssertEqual(list.status, 200)
        let items = try XCTUnwrap(try list.json()["items"] as? [[String: Any]])
        XCTAssertTrue(items.contains { $0["id"] as? String == id })
        XCTAssertFalse(list.text.contains(secret))
        XCTAssertTrue(items.allSatisfy { $0["key"] == nil })

        let revoked = try await HTTPClient.send("DELETE", "\(base)/api/v1/keys/\(id)", headers: admin)
        XCTAssertEqual(revoked.status, 200, revoked.text)
        XCTAssertNotNil(try revoked.json()["revoked_at"] as? String)
        let again = try await HTTPClient.send("DELETE", "\(base)/api/v1/keys/\(id)", headers: admin)
        XCTAssertEqual(again.status, 200, "revoking twice is harmless")
        XCTAssertEqual(try again.json()["revoked_at"] as? String, try revoked.json()["revoked_at"] as? String)

        let afterRevoke = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: ["X-API-Key": secret])
        XCTAssertEqual(afterRevoke.status, 401)
        let hidden = try await HTTPClient.send("GET", "\(base)/api/v1/keys", headers: admin)
        XCTAssertFalse(hidden.text.contains(id), "revoked keys are hidden by default")
        let shown = try await HTTPClient.send("GET", "\(base)/api/v1/keys?include_revoked=true", headers: admin)
        XCTAssertTrue(shown.text.contains(id))
    }

    func testKeyListPaginates() async throws {
        for index in 0..<3 {
            let created = try await HTTPClient.send(
                "POST", "\(base)/api/v1/keys", headers: admin, body: Data(#"{"name":"page \#(index)"}"#.utf8))
            XCTAssertEqual(created.status, 201)
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let url = "\(base)/api/v1/keys?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await HTTPClient.send("GET", url, headers: admin)
            XCTAssertEqual(page.status, 200, page.text)
            let json = try page.json()
            let ids = (json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            XCTAssertLessThanOrEqual(ids.count, 2)
            seen += ids
            cursor = json["next_cursor"] as? String
        } while cursor != nil
        XCTAssertEqual(Set(seen).count, seen.count, "pages overlap")
        XCTAssertGreaterThanOrEqual(seen.count, 4)
    }

    func testKeyCreationRejectsBadInput() async throws {
        let cases: [(String, String)] = [
            ("{not json", "invalid_json"),
            ("[]", "invalid_json"),
            (#"{"scopes":["read"]}"#, "invalid_parameter"),
            (#"{"name":"x","scopes":["root"]}"#, "invalid_parameter"),
            (#"{"name":"x","scopes":[]}"#, "invalid_parameter"),
            (#"{"name":"x","colour":"blue"}"#, "invalid_parameter"),
            (#"{"name":"x","expires_at":"next tuesday"}"#, "invalid_parameter"),
            (#"{"name":42}"#, "invalid_parameter"),
        ]
        for (body, code) in cases {
            let response = try await HTTPClient.send("POST", "\(base)/api/v1/keys", headers: admin, body: Data(body.utf8))
            XCTAssertEqual(response.status, 400, "\(body) → \(response.text)")
            XCTAssertEqual(response.errorCode(), code, body)
        }
        let badID = try await HTTPClient.send("DELETE", "\(base)/api/v1/keys/not-a-uuid", headers: admin)
        XCTAssertEqual(badID.status, 400)
        let unknown = try await HTTPClient.send("DELETE", "\(base)/api/v1/keys/00000000-0000-4000-8000-000000000000", headers: admin)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.errorCode(), "not_found")
        let badLimit = try await HTTPClient.send("GET", "\(base)/api/v1/keys?limit=0", headers: admin)
        XCTAssertEqual(badLimit.status, 400)
        let badCursor = try await HTTPClient.send("GET", "\(base)/api/v1/keys?cursor=zzz", headers: admin)
        XCTAssertEqual(badCursor.status, 400)
        XCTAssertEqual(badCursor.errorCode(), "invalid_parameter")
    }

    /// Handler processes keep their connection across invocations; when the server drops it
    /// (a restart, a failover) the next request reconnects instead of failing.
    func testBrokenDatabaseConnectionsAreReopened() async throws {
        let warm = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: admin)
        XCTAssertEqual(warm.status, 200)
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [
            requireDatabaseURL(), "-tAc",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ]
        let output = Pipe()
        psql.standardOutput = output
        try psql.run()
        psql.waitUntilExit()
        XCTAssertEqual(psql.terminationStatus, 0)
        let killed =
            Int(
                String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
                    in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(killed, 0, "no handler connection was open")
        let after = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: admin)
        XCTAssertEqual(after.status, 200, after.text)
        let ready = try await HTTPClient.send("GET", "\(base)/ready")
        XCTAssertEqual(ready.status, 200, ready.text)
    }

    func testExpiredKeysDoNotAuthenticate() async throws {
        let created = try await HTTPClient.send(
            "POST", "\(base)/api/v1/keys", headers: admin,
            body: Data(#"{"name":"old","scopes":["read"],"expires_at":"2001-01-01T00:00:00Z"}"#.utf8))
        XCTAssertEqual(created.status, 201, created.text)
        let secret = try XCTUnwrap(try created.json()["key"] as? String)
        let response = try await HTTPClient.send("GET", "\(base)/api/v1/me", headers: ["X-API-Key": secret])
        XCTAssertEqual(response.status, 401)
    }
}
