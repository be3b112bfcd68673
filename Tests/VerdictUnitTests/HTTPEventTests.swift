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

    // MARK: The one model, both directions

    static func context(time: Int64 = 1_700_000_000_000, pathParameters: [String: String] = [:]) -> HTTPRequest.GatewayContext {
        HTTPRequest.GatewayContext(
            routeKey: "POST /items/{id}", pathParameters: pathParameters, requestID: "req-1", timeEpochMilliseconds: time,
            accountID: "000000000000", apiID: "api", domainPrefix: "api", scheme: "http")
    }

    func testEventFromPartsDecodesBackToTheRequest() throws {
        let event = HTTPRequest.event(
            method: "POST", rawPath: "/items/a%2Fb", rawQueryString: "q=a+b&plus=%2B&bad=100%&bad=%zz%4&flag&&=x",
            headerFields: [
                ("Host", "example.test"), ("X-Multi", "a"), ("Cookie", "a=1; b=2"), ("x-multi", "b"), ("Cookie", " c=3 ;"),
                ("Content-Type", "text/plain"), ("User-Agent", "agent/1"), ("X-Forwarded-For", "spoofed"),
            ],
            body: Array("héllo".utf8), sourceIP: "10.0.0.7", context: Self.context(pathParameters: ["id": "a/b", "b": "2"]))

        let request = try HTTPRequest(event: JSON.parse(event.serialized()))
        XCTAssertEqual(
            request,
            HTTPRequest(
                method: "POST", rawPath: "/items/a%2Fb", rawQueryString: "q=a+b&plus=%2B&bad=100%&bad=%zz%4&flag&&=x",
                headers: [
                    "host": "example.test", "x-multi": "a,b", "content-type": "text/plain", "user-agent": "agent/1",
                    "x-forwarded-for": "10.0.0.7", "x-forwarded-proto": "http",
                ],
                cookies: ["a=1", "b=2", "c=3"], pathParameters: ["id": "a/b", "b": "2"], body: Array("héllo".utf8),
                routeKey: "POST /items/{id}", requestID: "req-1", sourceIP: "10.0.0.7"))

        XCTAssertEqual(request.query("q"), "a b", "+ is a space in a query")
        XCTAssertEqual(request.query("plus"), "+", "%2B is a plus")
        XCTAssertEqual(
            request.queryItems.filter { $0.name == "bad" }.map { $0.value }, ["100%", "%zz%4"], "malformed escapes stay as written")
        XCTAssertEqual(request.query("flag"), "")
        XCTAssertEqual(request.query(""), "x")
        // The gateway's view of the same query agrees with the handler's, repeats comma-joined.
        XCTAssertEqual(
            event["queryStringParameters"],
            ["q": "a b", "plus": "+", "bad": "100%,%zz%4", "flag": "", "": "x"])
        XCTAssertEqual(event["pathParameters"]?.objectValue?.keys, ["b", "id"], "path parameters are written in a stable order")
        XCTAssertEqual(event["body"]?.stringValue, "héllo")
        XCTAssertEqual(event["isBase64Encoded"], false)

        let requestContext = try XCTUnwrap(event["requestContext"])
        let http: JSON = ["method": "POST", "path": "/items/a%2Fb", "protocol": "HTTP/1.1", "sourceIp": "10.0.0.7", "userAgent": "agent/1"]
        XCTAssertEqual(requestContext["http"], http)
        XCTAssertEqual(requestContext["domainName"]?.stringValue, "example.test")
        XCTAssertEqual(requestContext["time"]?.stringValue, "14/Nov/2023:22:13:20 +0000")
        XCTAssertEqual(requestContext["timeEpoch"]?.intValue, 1_700_000_000_000)
        XCTAssertEqual(event["version"], "2.0")
    }

    func testEventTimes() {
        for (epoch, time) in [
            (Int64(0), "01/Jan/1970:00:00:00 +0000"), (1_709_251_199_999, "29/Feb/2024:23:59:59 +0000"),
            (951_782_400_000, "29/Feb/2000:00:00:00 +0000"),
        ] {
            let event = HTTPRequest.event(
                method: "GET", rawPath: "/", rawQueryString: "", headerFields: [], body: [], sourceIP: "",
                context: Self.context(time: epoch))
            XCTAssertEqual(event["requestContext"]?["time"]?.stringValue, time)
        }
    }

    func testEventBodies() throws {
        func roundTrip(_ body: [UInt8], contentType: String?) throws -> (event: JSON, request: HTTPRequest) {
            let event = HTTPRequest.event(
                method: "PUT", rawPath: "/", rawQueryString: "", headerFields: contentType.map { [("content-type", $0)] } ?? [],
                body: body, sourceIP: "127.0.0.1", context: Self.context())
            return (event, try HTTPRequest(event: JSON.parse(event.serialized())))
        }
        let binary: [UInt8] = [0, 1, 0xFF, 0xFE]
        let octets = try roundTrip(binary, contentType: "application/octet-stream")
        XCTAssertEqual(octets.event["isBase64Encoded"], true)
        XCTAssertEqual(octets.event["body"]?.stringValue, Base64.encode(binary))
        XCTAssertEqual(octets.request.body, binary)

        let notUTF8 = try roundTrip([0xC3], contentType: "application/json")
        XCTAssertEqual(notUTF8.event["isBase64Encoded"], true, "bytes that are not UTF-8 are never sent as text")
        XCTAssertEqual(notUTF8.request.body, [0xC3])

        let untyped = try roundTrip(Array("plain".utf8), contentType: nil)
        XCTAssertEqual(untyped.event["body"], "plain")
        XCTAssertEqual(untyped.request.body, Array("plain".utf8))

        let empty = try roundTrip([], contentType: "text/plain")
        XCTAssertNil(empty.event["body"])
        XCTAssertEqual(empty.event["isBase64Encoded"], false)
        XCTAssertEqual(empty.request.body, [])
    }

    func testResponseRoundTrips() throws {
        let text = HTTPResponse(
            status: 201, headers: [("content-type", "text/plain"), ("x-a", "1"), ("x-a", "2")], cookies: ["s=1; Path=/", "t=2"],
            body: Array("héllo".utf8))
        let decodedText = try HTTPResponse(functionOutput: text.event.serialized())
        XCTAssertEqual(
            decodedText,
            HTTPResponse(
                status: 201, headers: [("content-type", "text/plain"), ("x-a", "1,2")], cookies: ["s=1; Path=/", "t=2"],
                body: Array("héllo".utf8)),
            "repeated headers come back comma-joined, as API Gateway hands them on")
        XCTAssertEqual(decodedText.event, text.event)
        XCTAssertEqual(try HTTPResponse(event: text.event), decodedText)

        let binary = HTTPResponse(
            status: 200, headers: [("content-type", "application/octet-stream")], body: [0, 0xFF, 0x80], isBinary: true)
        XCTAssertEqual(try HTTPResponse(functionOutput: binary.event.serialized()), binary)

        let empty = HTTPResponse.noContent()
        XCTAssertEqual(try HTTPResponse(event: empty.event), empty)
    }

    func testFunctionOutputAsAPIGatewayReadsIt() throws {
        let loose = Array(#"{ "items" : [1.50] }"#.utf8)
        XCTAssertEqual(
            try HTTPResponse(functionOutput: loose),
            HTTPResponse(status: 200, headers: [("content-type", "application/json")], body: loose),
            "output without a statusCode is a 200's body, byte for byte")
        XCTAssertEqual(try HTTPResponse(functionOutput: Array("not json".utf8)).body, Array("not json".utf8))
        XCTAssertEqual(try HTTPResponse(event: ["ok": true]).body, Array(#"{"ok":true}"#.utf8))

        let full = try HTTPResponse(
            event: [
                "statusCode": 202,
                "headers": [
                    "X-Count": 3, "X-Flag": true, "X-Skip": .null, "Content-Length": "99", "Connection": "close",
                    "Transfer-Encoding": "chunked",
                ],
                "cookies": ["a=1"], "body": "aGk=", "isBase64Encoded": true,
            ])
        XCTAssertEqual(
            full,
            HTTPResponse(
                status: 202, headers: [("x-count", "3"), ("x-flag", "true")], cookies: ["a=1"], body: Array("hi".utf8), isBinary: true))

        for status in [99, 600, -1] {
            XCTAssertThrowsError(try HTTPResponse(event: ["statusCode": .int(Int64(status))]), "statusCode \(status)")
        }
        XCTAssertEqual(try HTTPResponse(event: ["statusCode": 599]).status, 599)
        XCTAssertEqual(try HTTPResponse(event: ["statusCode": 100]).status, 100)
        XCTAssertThrowsError(try HTTPResponse(event: ["statusCode": 200, "body": "%%%", "isBase64Encoded": true]))
    }

    func testEmulatorErrorEnvelopeIsTheHandlers() throws {
        let response = HTTPResponse.error(.functionTimeout, message: "slow")
        XCTAssertEqual(response.status, 504)
        XCTAssertEqual(response, HTTPResponse.error(APIError(.functionTimeout, "slow")))
    }
}
