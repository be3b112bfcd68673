import Foundation
import HTTPContract
import LambdaRuntime
import VerdictAPI
import VerdictDB
import VerdictJSON
import VerdictReports
import VerdictS3
import VerdictTestSupport
import XCTest

@testable import VerdictCore

/// Runs endpoints in process: a real `APIFunction` with a real context over the test database,
/// no emulator and no handler process, so an endpoint's logic is tested in milliseconds.
struct HandlerHarness {
    let resources: FunctionResources

    /// A bucket that only signs: presigned links are made without contacting it, and anything
    /// that would send a request fails, which a test that gets that far should notice.
    static let signingOnlyStore = ObjectStoreConfiguration(
        bucket: "verdict-test", region: "us-east-1",
        credentials: SigV4Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        endpoint: try! S3Endpoint("http://127.0.0.1:9/_s3"), addressingStyle: .path)

    init(objectStore: Result<ObjectStoreConfiguration, ObjectStoreError> = .success(Self.signingOnlyStore)) {
        resources = FunctionResources(
            settings: FunctionSettings(functionName: "handler-tests", databaseURL: HandlerHarness.databaseURL), objectStore: objectStore)
    }

    init(resources: FunctionResources) { self.resources = resources }

    static var databaseURL: String? { ProcessInfo.processInfo.environment["DATABASE_URL"] }

    /// One request through the endpoint, the way API Gateway would deliver it.
    func call<Handler: Endpoint>(
        _ handler: Handler, _ path: String, method: String = "GET", pathParameters: [String: String] = [:], query: String = "",
        key: String? = nil, body: String? = nil, requestID: String = UUID().uuidString, log: CollectedLines? = nil
    ) async -> Response {
        var headers: [String: String] = [:]
        if let key { headers["x-api-key"] = key }
        if body != nil { headers["content-type"] = "application/json" }
        let request = HTTPRequest(
            method: method, rawPath: path, rawQueryString: query, headers: headers, pathParameters: pathParameters,
            body: Array((body ?? "").utf8), requestID: requestID)
        var function = APIFunction(handler, resources: resources)
        var logger = FunctionIdentity(name: resources.settings.functionName).makeLogger { line in log?.append(line) }
        logger[metadataKey: "request_id"] = .string(requestID)
        let lambda = LambdaContext(
            requestID: requestID, deadlineMilliseconds: WallClock.nowMilliseconds() + 10_000, invokedFunctionARN: "test",
            logger: logger)
        let response = Response(await function.respond(to: request, lambda: lambda))
        // As the run loop does once the response is out.
        resources.runAfterResponse()
        return response
    }

    struct Response {
        let http: HTTPResponse
        init(_ http: HTTPResponse) { self.http = http }

        var status: Int { http.status }
        var text: String { String(decoding: http.body, as: UTF8.self) }
        var json: JSON { (try? JSON.parse(http.body)) ?? .null }
        var errorCode: String? { json["error"]?["code"]?.stringValue }
        var itemIDs: [String] { json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }
    }
}

/// The test database, migrated, with teams made on demand.
enum TestDatabase {
    static func connection() throws -> PostgresConnection {
        guard let url = HandlerHarness.databaseURL else {
            throw XCTSkip("DATABASE_URL is not set: run the tests with `make test`, which starts a throw-away PostgreSQL")
        }
        let db = try PostgresConnection(url: url)
        _ = try Migrator(connection: db, migrations: Schema.migrations).migrate()
        return db
    }

    /// A new team with one all-scopes key; returns the key and the access it grants.
    static func team(_ db: PostgresConnection, projectsPublic: Bool = true) throws -> (key: String, access: TeamAccess) {
        let slug = "t-" + UUID().uuidString.lowercased().prefix(12)
        let row = try db.query(
            "INSERT INTO teams (slug, name, projects_public) VALUES ($1, $1, $2::boolean) RETURNING id",
            [String(slug), projectsPublic ? "true" : "false"]
        ).first!
        let created = try APIKeyService(db: db).create(teamID: try row.decode("id"), name: "tests", scopes: Scope.allCases)
        return (created.secret, try APIKeyService(db: db).authenticate(created.secret)!)
    }

    /// Ingests a JUnit report for `access`'s team as one shard of a new run, straight through
    /// the core services (the bucket is not involved: the report is parsed from memory).
    static func ingest(
        _ junit: String, project: String, for access: TeamAccess, _ db: PostgresConnection, progress: ((Int) -> Void)? = nil
    ) throws -> IngestedReport {
        try ingest(shards: [junit], project: project, for: access, db, progress: progress)[0]
    }

    /// One run of as many shards as reports, each ingested in turn.
    static func ingest(
        shards: [String], project: String, for access: TeamAccess, _ db: PostgresConnection, progress: ((Int) -> Void)? = nil
    ) throws -> [IngestedReport] {
        let identity = try RunIdentity(
            project: project, commit: nil, branch: "main", ciRunID: UUID().uuidString, ciRunAttempt: nil, name: nil)
        let run = try RunService(db: db).begin(identity, for: access, expected: shards.count).run
        let store = ObjectStore(configuration: HandlerHarness.signingOnlyStore)
        return try shards.enumerated().map { index, junit in
            let bytes = Array(junit.utf8)
            let file = try DeclaredFile(
                name: "report.xml", kind: "report", size: Int64(bytes.count), sha256: String(repeating: "0", count: 64), contentType: nil,
                field: "file")
            let reserved = try db.transaction {
                try ReportRegistrar(db: db, store: store).reserve(run.id, for: access, shard: String(index + 1), format: nil, files: [file])
            }
            return try ReportIngest(db: db, store: store).ingest(
                reportID: reserved.reportID, runID: run.id, projectID: run.projectID, uploaded: [:],
                produce: ReportIngest.producer(try ReportParser.parse(bytes, format: nil)), progress: progress)
        }
    }
}
