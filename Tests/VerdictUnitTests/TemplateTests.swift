import Foundation
import SAMTemplate
import XCTest

final class TemplateTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheDeployTemplateDescribesEveryFunction() throws {
        let template = try Template.load(
            path: Self.root.appendingPathComponent("infra-templates/template.yaml").path, parameters: ["DatabaseUrl": "postgresql://x"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("functions").path).sorted()
        XCTAssertEqual(
            template.functions.map(\.executableName).sorted(), folders, "every functions/ folder has exactly one template function")
        for function in template.functions {
            XCTAssertEqual(function.runtime, "provided.al2023")
            XCTAssertEqual(function.handler, "bootstrap")
            XCTAssertEqual(function.environment["DATABASE_URL"], "postgresql://x", "\(function.logicalID) gets the database parameter")
            XCTAssertEqual(function.environment["ARTIFACTS_BUCKET"], "verdict-artifacts")
        }
        XCTAssertEqual(template.function(named: "HealthFunction")?.routes, [RouteDefinition(method: "GET", path: "/health")])
        XCTAssertEqual(template.function(named: "HealthFunction")?.timeoutSeconds, 3)
        XCTAssertEqual(template.function(named: "MigrateFunction")?.startupOrder, 1)
        XCTAssertEqual(template.function(named: "SeedFunction")?.startupOrder, 2)
        XCTAssertEqual(template.buckets["ArtifactsBucket"], "verdict-artifacts")
        // Deployable as API Gateway builds it: one variable name at one place of the route tree.
        XCTAssertNoThrow(try RouteTable(template.functions.flatMap { function in function.routes.map { ($0, function.logicalID) } }))
    }

    func testParametersMustHaveValues() {
        let text = """
            Parameters:
              Url: {Type: String}
            Resources:
              F:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: x/f
                  Environment: {Variables: {U: !Ref Url, S: !Sub "pre-${Url}-post"}}
            """
        XCTAssertThrowsError(try Template.parse(text)) { XCTAssertTrue("\($0)".contains("Url")) }
        let template = try? Template.parse(text, parameters: ["Url": "v"])
        XCTAssertEqual(template?.functions.first?.environment["S"], "pre-v-post")
        XCTAssertThrowsError(try Template.parse(text, parameters: ["Url": "v", "Nope": "x"]))
    }

    func testDuplicateRoutesAreRejected() {
        let text = """
            Resources:
              A: {Type: AWS::Serverless::Function, Properties: {CodeUri: a, Events: {E: {Type: HttpApi, Properties: {Path: /x, Method: GET}}}}}
              B: {Type: AWS::Serverless::Function, Properties: {CodeUri: b, Events: {E: {Type: HttpApi, Properties: {Path: /x, Method: get}}}}}
            """
        XCTAssertThrowsError(try Template.parse(text))
    }

    func testAVariableHasOneNameAtOnePlaceOfTheRouteTree() throws {
        func table(_ paths: [String]) throws -> RouteTable<Int> {
            try RouteTable(paths.enumerated().map { (RouteDefinition(method: "GET", path: $0.element), $0.offset) })
        }
        XCTAssertNoThrow(try table(["/projects/{id}", "/projects/{id}/trends", "/runs/{id}", "/projects/{id}/gates/{gate}"]))
        XCTAssertNoThrow(try table(["/a/{x}/b", "/c/{y}/b"]), "different places")
        XCTAssertThrowsError(try table(["/projects/{id}", "/projects/{project}/trends"]))
        XCTAssertThrowsError(try table(["/p/{a}/g/{b}", "/p/{a}/g/{c}/x"]))
        XCTAssertThrowsError(try table(["/files/{key}", "/files/{proxy+}"]))
    }
}
