import SAMTemplate
import XCTest

final class RouteTableTests: XCTestCase {
    let table = try! RouteTable<String>([
        (RouteDefinition(method: "GET", path: "/runs"), "list"),
        (RouteDefinition(method: "POST", path: "/runs"), "create"),
        (RouteDefinition(method: "GET", path: "/runs/{id}"), "get"),
        (RouteDefinition(method: "GET", path: "/runs/latest"), "latest"),
        (RouteDefinition(method: "ANY", path: "/runs/{id}/cases"), "cases-any"),
        (RouteDefinition(method: "GET", path: "/runs/{id}/cases"), "cases-get"),
        (RouteDefinition(method: "GET", path: "/runs/{id}/{part}"), "run-part"),
        (RouteDefinition(method: "ANY", path: "/files/{proxy+}"), "files"),
        (RouteDefinition(method: "ANY", path: "/files/special/{rest+}"), "special-files"),
        (RouteDefinition(method: "ANY", path: "/{proxy+}"), "catch-all"),
    ])

    func testSelection() {
        let cases: [(String, String, String?, [String: String])] = [
            ("GET", "/runs", "list", [:]),
            ("POST", "/runs", "create", [:]),
            ("GET", "/runs/", "list", [:]),
            ("GET", "/runs/latest", "latest", [:]),  // an exact segment beats {id}
            ("GET", "/runs/42", "get", ["id": "42"]),
            ("DELETE", "/runs/42", "catch-all", ["proxy": "runs/42"]),
            ("GET", "/runs/42/cases", "cases-get", ["id": "42"]),  // a method beats ANY
            ("POST", "/runs/42/cases", "cases-any", ["id": "42"]),
            ("GET", "/runs/42/suites", "run-part", ["id": "42", "part": "suites"]),  // a literal beats {part}
            ("GET", "/files/a/b/c.png", "files", ["proxy": "a/b/c.png"]),
            ("GET", "/files/special/x/y", "special-files", ["rest": "x/y"]),  // the longer greedy prefix wins
            ("GET", "/runs/a%20b", "get", ["id": "a b"]),
            ("GET", "/whatever", "catch-all", ["proxy": "whatever"]),
        ]
        for (method, path, target, parameters) in cases {
            let match = table.match(method: method, path: path)
            XCTAssertEqual(match?.target, target, "\(method) \(path)")
            XCTAssertEqual(match?.pathParameters ?? [:], parameters, "\(method) \(path)")
        }
    }

    func testNoMatch() throws {
        let small = try RouteTable<String>([(RouteDefinition(method: "GET", path: "/health"), "health")])
        XCTAssertNil(small.match(method: "POST", path: "/health"))
        XCTAssertNil(small.match(method: "GET", path: "/health/x"))
        XCTAssertNil(small.match(method: "GET", path: "/"))
        let withDefault = try RouteTable<String>([(RouteDefinition(method: "ANY", path: "$default"), "fallback")])
        XCTAssertEqual(withDefault.match(method: "PATCH", path: "/anything")?.target, "fallback")
    }

    func testInvalidPatterns() {
        XCTAssertThrowsError(try RoutePattern("/a/{proxy+}/b"))
        XCTAssertThrowsError(try RoutePattern("/a/x{id}"))
        XCTAssertThrowsError(try RoutePattern("no-slash"))
    }
}
