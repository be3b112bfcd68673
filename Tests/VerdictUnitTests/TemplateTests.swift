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
}
