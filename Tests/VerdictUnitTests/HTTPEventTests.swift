import VerdictHTTP
import VerdictJSON
import XCTest

final class HTTPEventTests: XCTestCase {
    func testDecodesPayloadFormat2() throws {
        let event = try JSON.parse(
            #"""
            {"version":"2.0","routeKey":"GET /items/{id}","rawPath":"/items/a%2Fb","rawQueryString":"q=hello+world&x=%C3%A9&flag",
             "cookies":["a=1","b=2"],"headers":{"X-API-Key":"k","content-type":"text/plain"},
             "pathParameters":{"id":"a/b"},"requestContext":{"requestId":"r1","http":{"method":"get","sourceIp":"1.2.3.4"}},
             "body":"aGk=","isBase64Encoded":true}
            """#)
        let request = try HTTPRequest(event: event)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.header("x-api-key"), "k", "header names are lower-cased")
        XCTAssertEqual(request.pathParameter("id"), "a/b")
        XCTAssertEqual(request.query("q"), "hello world")
        XCTAssertEqual(request.query("x"), "é")
        XCTAssertEqual(request.query("flag"), "")
        XCTAssertNil(request.query("missing"))
        XCTAssertEqual(request.cookies, ["a=1", "b=2"])
        XCTAssertEqual(request.body, Array("hi".utf8))
        XCTAssertEqual(request.routeKey, "GET /items/{id}")
        XCTAssertEqual(request.sourceIP, "1.2.3.4")
    }

    func testRejectsNonHTTPEvents() {
        XCTAssertThrowsError(try HTTPRequest(event: ["detail-type": "Scheduled Event"]))
        XCTAssertThrowsError(try HTTPRequest(event: .array([])))
    }

    func testEncodesResponses() throws {
        let text = HTTPResponse.json(["ok": true], status: 201, headers: [("x-a", "1"), ("x-a", "2")]).event
        XCTAssertEqual(text["statusCode"], .int(201))
        XCTAssertEqual(text["headers"]?["x-a"]?.stringValue, "1,2")
        XCTAssertEqual(text["body"]?.stringValue, #"{"ok":true}"#)
        XCTAssertEqual(text["isBase64Encoded"], .bool(false))

        let binary = HTTPResponse(status: 200, body: [0xFF, 0x00], isBinary: true).event
        XCTAssertEqual(binary["isBase64Encoded"], .bool(true))
        XCTAssertEqual(binary["body"]?.stringValue, "/wA=")

        let invalidUTF8 = HTTPResponse(status: 200, body: [0xC3]).event
        XCTAssertEqual(invalidUTF8["isBase64Encoded"], .bool(true), "bytes that are not UTF-8 are never sent as text")
    }

    func testErrorEnvelope() throws {
        let response = HTTPResponse.error(.invalidParameter("limit", "must be a whole number"))
        XCTAssertEqual(response.status, 400)
        let body = try JSON.parse(response.body)
        XCTAssertEqual(body["error"]?["code"]?.stringValue, "invalid_parameter")
        XCTAssertEqual(body["error"]?["message"]?.stringValue, "limit: must be a whole number")
        XCTAssertEqual(HTTPResponse.error(.unauthorized("x")).header("www-authenticate"), "Bearer")
    }

    func testPercentEncoding() {
        XCTAssertEqual(PercentEncoding.encodeComponent("a b/ü~+"), "a%20b%2F%C3%BC~%2B")
        XCTAssertEqual(PercentEncoding.decodeQueryComponent("a%20b%2F%C3%BC~%zz+%2B%4"), "a b/ü~%zz +%4")
        XCTAssertEqual(PercentEncoding.decodePathSegment("a+b%2Fc%2"), "a+b/c%2", "a plus is a plus in a path")
    }
}
