import Foundation
import HTTPContract
import SAMTemplate
import VerdictJSON
import VerdictLive
import VerdictS3
import XCTest

final class WebSocketTemplateTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheTestTemplatesWebSocketAPIResolvesEveryRouteToItsFunction() throws {
        let template = try Template.load(
            path: Self.root.appendingPathComponent("Tests/Fixtures/test-template.yaml").path, parameters: ["EventLogPath": "/dev/null"])
        let api = try XCTUnwrap(template.webSocketAPI())
        XCTAssertEqual(api.logicalID, "WebSocketApi")
        XCTAssertEqual(api.routeSelectionExpression, "$request.body.action")
        XCTAssertEqual(api.bodyPath, ["action"])
        XCTAssertEqual(api.stageName, "live")
        XCTAssertEqual(
            api.routes,
            [
                "$connect": "WebSocketFunction", "$disconnect": "WebSocketFunction", "$default": "WebSocketFunction",
                "echo": "WebSocketFunction", "broadcast-after-close": "WebSocketFunction",
            ])
    }

    static let threeFunctions = """
        Resources:
          ConnectFunction: {Type: AWS::Serverless::Function, Properties: {CodeUri: x/connect}}
          DisconnectFunction: {Type: AWS::Serverless::Function, Properties: {CodeUri: x/disconnect, FunctionName: verdict-disconnect}}
          MessageFunction: {Type: AWS::Serverless::Function, Properties: {CodeUri: x/message}}
          LiveApi:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: live, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.message.kind}
          HttpApi:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: other, ProtocolType: HTTP}
          ConnectIntegration:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: !Ref LiveApi
              IntegrationType: AWS_PROXY
              IntegrationUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ConnectFunction.Arn}/invocations"
          DisconnectIntegration:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: !Ref LiveApi
              IntegrationType: AWS_PROXY
              IntegrationUri: !Join ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", !GetAtt DisconnectFunction.Arn, "/invocations"]]
          MessageIntegration:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: {Ref: LiveApi}
              IntegrationType: AWS_PROXY
              IntegrationUri: {"Fn::Sub": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${MessageFunction.Arn}/invocations"}
          ConnectRoute:
            Type: AWS::ApiGatewayV2::Route
            Properties: {ApiId: !Ref LiveApi, RouteKey: $connect, Target: !Sub "integrations/${ConnectIntegration}"}
          DisconnectRoute:
            Type: AWS::ApiGatewayV2::Route
            Properties: {ApiId: !Ref LiveApi, RouteKey: $disconnect, Target: !Join ["/", ["integrations", !Ref DisconnectIntegration]]}
          DefaultRoute:
            Type: AWS::ApiGatewayV2::Route
            Properties: {ApiId: !Ref LiveApi, RouteKey: $default, Target: !Sub "integrations/${MessageIntegration}"}
          Stage:
            Type: AWS::ApiGatewayV2::Stage
            Properties: {ApiId: !Ref LiveApi, StageName: prod, AutoDeploy: true}
          Permission:
            Type: AWS::Lambda::Permission
            Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref MessageFunction, Principal: apigateway.amazonaws.com}
        """

    func testRoutesIntegrationsAndStagesJoinIntoRouteToFunction() throws {
        let template = try Template.parse(Self.threeFunctions)
        XCTAssertEqual(template.webSocketAPIs.count, 1, "HTTP APIs are not WebSocket APIs")
        let api = try XCTUnwrap(template.webSocketAPI(named: "LiveApi"))
        XCTAssertEqual(
            api.routes, ["$connect": "ConnectFunction", "$disconnect": "DisconnectFunction", "$default": "MessageFunction"])
        XCTAssertEqual(api.bodyPath, ["message", "kind"])
        XCTAssertEqual(api.stageName, "prod")
    }

    func testWhatTheEmulatorCannotServeIsRejected() {
        let notProxy = Self.threeFunctions.replacingOccurrences(
            of: "IntegrationType: AWS_PROXY\n      IntegrationUri: !Sub", with: "IntegrationType: HTTP_PROXY\n      IntegrationUri: !Sub")
        XCTAssertThrowsError(try Template.parse(notProxy)) { XCTAssertTrue("\($0)".contains("AWS_PROXY"), "\($0)") }
        let unknownFunction = Self.threeFunctions.replacingOccurrences(
            of: "${ConnectFunction.Arn}", with: "arn:aws:lambda:us-east-1:1:function:nope")
        XCTAssertThrowsError(try Template.parse(unknownFunction)) { XCTAssertTrue("\($0)".contains("names no function"), "\($0)") }
        let noTarget = Self.threeFunctions.replacingOccurrences(of: ", Target: !Sub \"integrations/${MessageIntegration}\"", with: "")
        XCTAssertThrowsError(try Template.parse(noTarget)) { XCTAssertTrue("\($0)".contains("no Target"), "\($0)") }
        let headerSelection = Self.threeFunctions.replacingOccurrences(of: "$request.body.message.kind", with: "$request.header.kind")
        XCTAssertThrowsError(try Template.parse(headerSelection))
    }
}

final class WebSocketEventTests: XCTestCase {
    func testEventsRoundTripInAPIGatewaysShape() throws {
        let connect = WebSocketEvent(
            eventType: .connect, routeKey: "$connect", connectionID: "L0SM9cOFvHcCIhw=",
            multiValueHeaders: ["Host": ["example.com"], "X-Team": ["a", "b"]], multiValueQueryStringParameters: ["run": ["1", "2"]],
            requestID: "L0SM9E0ADoEF-ew=", domainName: "example.com", stage: "live", apiID: "abc123",
            connectedAtMilliseconds: 1_700_000_000_000, requestTimeEpochMilliseconds: 1_700_000_000_123, sourceIP: "192.0.2.1",
            userAgent: "test")
        let json = connect.event
        XCTAssertEqual(json["requestContext"]?["eventType"]?.stringValue, "CONNECT")
        XCTAssertEqual(json["requestContext"]?["requestTime"]?.stringValue, "14/Nov/2023:22:13:20 +0000")
        XCTAssertEqual(json["requestContext"]?["identity"]?["sourceIp"]?.stringValue, "192.0.2.1")
        XCTAssertEqual(json["headers"]?["X-Team"]?.stringValue, "b")
        XCTAssertEqual(json["queryStringParameters"]?["run"]?.stringValue, "2")
        XCTAssertNil(json["body"])
        let decoded = try WebSocketEvent(event: try JSON.parse(json.serialized()))
        XCTAssertEqual(decoded, connect)
        XCTAssertEqual(decoded.header("x-team"), "a,b")
        XCTAssertEqual(decoded.query("run"), "2")
        XCTAssertTrue(WebSocketEvent.isWebSocketEvent(json))

        var message = connect
        message.eventType = .message
        message.routeKey = "echo"
        message.multiValueHeaders = [:]
        message.multiValueQueryStringParameters = [:]
        message.messageID = "m1"
        message.body = [0, 255, 1]
        message.isBinary = true
        XCTAssertEqual(message.event["isBase64Encoded"]?.boolValue, true)
        XCTAssertEqual(try WebSocketEvent(event: message.event), message)
        XCTAssertNil(message.event["headers"], "API Gateway sends message events without headers")
    }

    func testAnHTTPEventIsNotAWebSocketEvent() throws {
        let http = try JSON.parse(Array(#"{"version":"2.0","requestContext":{"http":{"method":"GET"}}}"#.utf8))
        XCTAssertFalse(WebSocketEvent.isWebSocketEvent(http))
        XCTAssertThrowsError(try WebSocketEvent(event: http))
    }
}

final class SigV4ServiceRequestTests: XCTestCase {
    static let credentials = SigV4Credentials(
        accessKeyID: "verdict-local", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session/token+1")
    static let url = "http://127.0.0.1:8080/_ws/@connections/L0SM9cOFvHcCIhw%3D"
    static let signedAt = AmzDate(iso8601Basic: "20240506T070809Z")!
    let signer = SigV4RequestSigner(credentials: credentials, region: "eu-west-1", service: "execute-api")

    /// Signatures botocore's SigV4Auth makes for the same requests (ApiGatewayManagementApi's
    /// signer): the path signed encoded twice, the body hashed.
    func testHeadersAreBotocoresByteForByte() throws {
        let expected = [
            ("POST", Array(#"{"hello":"world"}"#.utf8), "6fa08e5bdbc6be9e8d9428b617f29a44041436a77846cca4dd5f9a8699f43e20"),
            ("GET", [], "2d7ff12c92e57b7e5abcf4bb13c7d7e3e60d137217648c5f48105662118efbf2"),
            ("DELETE", [], "f2fbaecf29cc181722548cf8ed3b653d56158bb24fa6e571242e1913be9c8d8f"),
        ]
        for (method, body, signature) in expected {
            let headers = try signer.authorizationHeaders(method: method, url: Self.url, body: body, signedAt: Self.signedAt)
            XCTAssertEqual(headers.first { $0.name == "X-Amz-Date" }?.value, "20240506T070809Z")
            XCTAssertEqual(headers.first { $0.name == "X-Amz-Security-Token" }?.value, "session/token+1")
            XCTAssertEqual(
                headers.first { $0.name == "Authorization" }?.value,
                "AWS4-HMAC-SHA256 Credential=verdict-local/20240506/eu-west-1/execute-api/aws4_request, "
                    + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=\(signature)", method)
        }
    }

    func request(_ method: String, headers: [(name: String, value: String)], host: String = "127.0.0.1:8080") -> IncomingS3Request {
        IncomingS3Request(
            method: method, rawPath: "/_ws/@connections/L0SM9cOFvHcCIhw%3D", rawQuery: "", headers: [("Host", host)] + headers)
    }

    func testTheVerifierAcceptsWhatTheSignerMakesAndNothingElse() throws {
        let verifier = SigV4Verifier(region: nil, service: "execute-api", secrets: ["verdict-local": Self.credentials.secretAccessKey])
        let body = Array("hello".utf8)
        let now = Self.signedAt.adding(seconds: 60)
        let headers = try signer.authorizationHeaders(method: "POST", url: Self.url, body: body, signedAt: Self.signedAt)
        let verified = try verifier.verifyServiceRequest(request("POST", headers: headers), body: body, now: now)
        XCTAssertEqual(verified.accessKeyID, "verdict-local")
        XCTAssertEqual(verified.sessionToken, "session/token+1")

        func rejects(_ request: IncomingS3Request, body: [UInt8], now: AmzDate, _ text: String, line: UInt = #line) {
            XCTAssertThrowsError(try verifier.verifyServiceRequest(request, body: body, now: now), line: line) { error in
                XCTAssertTrue((error as? S3Error)?.message.contains(text) == true, "\(error)", line: line)
            }
        }
        rejects(request("POST", headers: headers), body: Array("other".utf8), now: now, "does not match")
        rejects(request("DELETE", headers: headers), body: body, now: now, "does not match")
        rejects(request("POST", headers: headers, host: "evil.example"), body: body, now: now, "does not match")
        rejects(request("POST", headers: headers), body: body, now: Self.signedAt.adding(seconds: 16 * 60), "Signature expired")
        rejects(request("POST", headers: headers), body: body, now: Self.signedAt.adding(seconds: -16 * 60), "not yet current")
        rejects(request("POST", headers: []), body: body, now: now, "Missing Authentication Token")
        let forged = try SigV4RequestSigner(
            credentials: SigV4Credentials(accessKeyID: "verdict-local", secretAccessKey: "guess"), region: "eu-west-1",
            service: "execute-api"
        ).authorizationHeaders(method: "POST", url: Self.url, body: body, signedAt: Self.signedAt)
        rejects(request("POST", headers: forged), body: body, now: now, "does not match")
        let s3 = try SigV4RequestSigner(credentials: Self.credentials, region: "eu-west-1", service: "s3").authorizationHeaders(
            method: "POST", url: Self.url, body: body, signedAt: Self.signedAt)
        rejects(request("POST", headers: s3), body: body, now: now, "service")
    }

    func testTheClientReadsItsEnvironmentAndEncodesConnectionIDs() throws {
        let environment = [
            ConnectionsClient.endpointVariable: "https://abc.execute-api.eu-west-1.amazonaws.com/live/", "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
        ]
        let client = try ConnectionsClient.fromEnvironment { environment[$0] }
        XCTAssertEqual(
            client.url(connectionID: "L0SM9cOFvHcCIhw="),
            "https://abc.execute-api.eu-west-1.amazonaws.com/live/@connections/L0SM9cOFvHcCIhw%3D")
        XCTAssertEqual(client.signer.region, "eu-west-1")
        XCTAssertEqual(client.signer.service, "execute-api")
        XCTAssertEqual(client.signer.credentials.sessionToken, "token")
        XCTAssertThrowsError(try ConnectionsClient.fromEnvironment { $0 == ConnectionsClient.endpointVariable ? nil : environment[$0] })
    }
}
