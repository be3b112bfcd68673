import Foundation
import HTTPContract
import SAMTemplate
import VerdictTestSupport
import XCTest
import Yams

/// The published contract (infra-templates/openapi.yaml) against what it describes: the
/// template's routes, the ErrorCode catalogue, the README's error table and the copy the API
/// serves. Each check names what differs, so a failure says what to change.
final class ContractTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let specPath = root.appendingPathComponent("infra-templates/openapi.yaml").path
    static let generatedPath = root.appendingPathComponent("Sources/VerdictAPI/Generated/OpenAPIDocument.swift").path

    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func spec() throws -> [String: Any] {
        let text = try String(contentsOfFile: Self.specPath, encoding: .utf8)
        return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any], "openapi.yaml is not a mapping")
    }

    func testTheSpecAndTheTemplateListTheSameRoutes() throws {
        let template = try Template.load(
            path: Self.root.appendingPathComponent("infra-templates/template.yaml").path, parameters: ["DatabaseUrl": "postgresql://x"])
        let templateRoutes = Set(template.functions.flatMap(\.routes).map { "\($0.method) \($0.path)" })
        let paths = try XCTUnwrap(try spec()["paths"] as? [String: Any], "openapi.yaml has no paths")
        var specRoutes = Set<String>()
        for (path, item) in paths {
            let operations = try XCTUnwrap(item as? [String: Any], "paths.\(path) is not a mapping")
            for method in operations.keys where Self.httpMethods.contains(method) { specRoutes.insert("\(method.uppercased()) \(path)") }
        }
        XCTAssertFalse(templateRoutes.isEmpty)
        let onlyInSpec = specRoutes.subtracting(templateRoutes).sorted()
        let onlyInTemplate = templateRoutes.subtracting(specRoutes).sorted()
        XCTAssertTrue(
            onlyInSpec.isEmpty && onlyInTemplate.isEmpty,
            "openapi.yaml and template.yaml disagree on routes; only in the spec: \(onlyInSpec), only in the template: \(onlyInTemplate)")
    }

    func testTheSpecIsValidOpenAPI31() throws {
        XCTAssertEqual(try spec()["openapi"] as? String, "3.1.0")
        // openapi-spec-validator picks the 3.1 rules from the document's `openapi` field and
        // raises on the first violation; its message ends up in the thrown error.
        let script = """
            import sys, yaml
            from openapi_spec_validator import validate
            validate(yaml.safe_load(sys.stdin.buffer))
            print("valid")
            """
        let output = try runPython(script, input: try Data(contentsOf: URL(fileURLWithPath: Self.specPath)))
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "valid\n")
    }

    func testTheErrorCodeEnumIsTheCatalogue() throws {
        let document = try spec()
        let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let error = try XCTUnwrap(schemas["Error"] as? [String: Any], "no components.schemas.Error")
        let envelope = try XCTUnwrap((error["properties"] as? [String: Any])?["error"] as? [String: Any])
        let code = try XCTUnwrap((envelope["properties"] as? [String: Any])?["code"] as? [String: Any])
        let codes = try XCTUnwrap(code["enum"] as? [String], "Error.error.code has no enum of strings")
        XCTAssertEqual(codes, ErrorCode.allCases.map(\.rawValue), "Error.code in openapi.yaml must list ErrorCode.allCases, in order")
    }

    /// Every error answer an operation lists is the shared Error schema, under a status some
    /// code of the catalogue has; anything else would be an error shape or status no code explains.
    /// Pages (tag `pages`) answer their own errors as pages, for people; the gateway's are JSON.
    func testEveryErrorResponseIsTheSharedErrorSchema() throws {
        let document = try spec()
        let components = try XCTUnwrap(document["components"] as? [String: Any])
        let shared = try XCTUnwrap(components["responses"] as? [String: Any])
        let statuses = Set(ErrorCode.allCases.map { String($0.status) })
        let paths = try XCTUnwrap(document["paths"] as? [String: Any])
        var problems: [String] = []
        var checked = 0
        for (path, item) in paths {
            for (method, operation) in (item as? [String: Any]) ?? [:] where Self.httpMethods.contains(method) {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                let isPage = ((operation as? [String: Any])?["tags"] as? [String])?.contains("pages") == true
                for (status, response) in responses where Int(status).map({ $0 >= 400 }) ?? true {
                    let label = "\(method.uppercased()) \(path) \(status)"
                    if !statuses.contains(status) { problems.append("\(label): no error code has this status") }
                    var resolved = response as? [String: Any] ?? [:]
                    if let reference = resolved["$ref"] as? String {
                        let name = String(reference.dropFirst("#/components/responses/".count))
                        resolved = shared[name] as? [String: Any] ?? [:]
                    }
                    let content = resolved["content"] as? [String: Any] ?? [:]
                    let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any]
                    let isErrorPage = isPage && (content["text/html"] != nil || content["text/plain"] != nil)
                    if schema?["$ref"] as? String != "#/components/schemas/Error" && !isErrorPage {
                        problems.append("\(label): not the Error schema")
                    }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
        XCTAssertEqual(problems.sorted(), [])
    }

    func testTheReadmeErrorTableIsTheCatalogue() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        let api = try XCTUnwrap(lines.firstIndex(of: "## API"), "README.md has no '## API' section")
        let header = try XCTUnwrap(lines[api...].firstIndex(of: "| status | code | when |"), "no error table in ## API")
        let table = lines[header...].prefix { $0.hasPrefix("|") }
        XCTAssertEqual(Array(table.prefix(2)), ["| status | code | when |", "|---|---|---|"])
        let expected = ErrorCode.allCases.map { "| \($0.status) | `\($0.rawValue)` | \($0.summary) |" }
        let rows = Array(table.dropFirst(2))
        XCTAssertEqual(
            rows.count, expected.count, "one README row per ErrorCode (Tests/Contract/error_table.py --write rewrites the table)")
        for (row, wanted) in zip(rows, expected) { XCTAssertEqual(row, wanted) }
    }

    func testTheServedDocumentIsTheSpec() throws {
        let source = try String(contentsOfFile: Self.generatedPath, encoding: .utf8)
        let json = try Self.stringLiteral(named: "json", in: source)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)), "OpenAPIDocument.json is not JSON")
        // Python compares the two as data: YAML and JSON number, string and null types agree
        // there without the bridging Foundation would put in between.
        let script = """
            import json, sys, yaml
            served = json.loads(sys.stdin.buffer.read())
            with open(\(Self.pythonString(Self.specPath)), "rb") as f:
                spec = yaml.safe_load(f)
            print("equal" if served == spec else "different")
            """
        let verdict = try runPython(script, input: Data(json.utf8))
        XCTAssertEqual(String(decoding: verdict, as: UTF8.self), "equal\n", "OpenAPIDocument.swift is stale: run `make openapi`")

        // Byte for byte what the generator writes, so the file is never edited by hand.
        let generator = Self.root.appendingPathComponent("Tests/Contract/generate_openapi_swift.py").path
        let regenerated = try runPython(
            "import runpy, sys; sys.argv = [\(Self.pythonString(generator)), '--stdout']; runpy.run_path(sys.argv[0], run_name='__main__')",
            input: Data())
        XCTAssertTrue(regenerated == Data(source.utf8), "OpenAPIDocument.swift is not the generator's output: run `make openapi`")
    }

    /// The contents of `static let <name>: String = #"…"#`, whatever the number of `#`.
    static func stringLiteral(named name: String, in source: String) throws -> String {
        let declaration = try XCTUnwrap(source.range(of: "static let \(name): String ="), "no `static let \(name): String =`")
        var rest = source[declaration.upperBound...].drop { $0 == " " || $0 == "\n" }
        let hashes = rest.prefix { $0 == "#" }
        XCTAssertFalse(hashes.isEmpty, "\(name) is not a raw string literal")
        rest = rest.dropFirst(hashes.count)
        XCTAssertEqual(rest.first, "\"")
        let body = rest.dropFirst()
        let end = try XCTUnwrap(body.range(of: "\"" + hashes), "unterminated literal")
        let literal = String(body[..<end.lowerBound])
        XCTAssertFalse(literal.contains("\n"), "the literal must be one line of minified JSON")
        return literal
    }

    static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
