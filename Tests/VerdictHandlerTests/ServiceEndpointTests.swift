import VerdictAPI
import VerdictJSON
import XCTest

@testable import VerdictCore

/// The endpoints that take no caller: liveness, readiness and the published contract.
final class ServiceEndpointTests: XCTestCase {
    func testTheContractIsServedAsJSON() async throws {
        let response = await HandlerHarness().call(GetOpenAPIDocument(), "/api/v1/openapi.json")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.http.header("content-type"), "application/json")
        XCTAssertEqual(response.json["openapi"]?.stringValue, "3.1.0")
        let paths = try XCTUnwrap(response.json["paths"]?.objectValue?.keys)
        for path in ["/api/v1/openapi.json", "/api/v1/runs", "/api/v1/projects/{project}", "/api/v1/team"] {
            XCTAssertTrue(paths.contains(path), "\(path) is described")
        }
    }

    func testReadinessReportsTheSchemaVersionThisBuildNeeds() async throws {
        _ = try TestDatabase.connection()
        let ready = await HandlerHarness().call(Ready(), "/ready")
        XCTAssertEqual(ready.status, 200, ready.text)
        XCTAssertEqual(ready.json["schema_version"]?.intValue, Int64(Schema.migrations.map(\.version).max()!))
        let health = await HandlerHarness().call(Health(), "/health")
        XCTAssertEqual(health.json["function"]?.stringValue, "handler-tests")
    }
}
