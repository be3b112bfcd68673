import Foundation
import NIOCore
import NIOHTTP1
import SAMTemplate
import VerdictJSON

/// Translates between HTTP and API Gateway's payload format 2.0, in both directions.
enum EventBuilder {
    static func httpAPIEvent(_ request: ServerRequest, match: RouteTable<String>.Match, requestID: String) -> [UInt8] {
        var headers = JSONObject()
        var cookies: [String] = []
        for (name, value) in request.headers {
            let lowered = name.lowercased()
            if lowered == "cookie" {
                cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                continue
            }
            // Repeated headers reach the function comma-joined, as API Gateway sends them.
            if let existing = headers[lowered]?.stringValue {
                headers[lowered] = .string(existing + "," + value)
            } else {
                headers[lowered] = .string(value)
            }
        }
        headers["x-forwarded-for"] = .string(request.remoteAddress)
        headers["x-forwarded-proto"] = "http"

        var query = JSONObject()
        for part in request.rawQuery.split(separator: "&") where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(pieces[0])
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            if let existing = query[name]?.stringValue {
                query[name] = .string(existing + "," + value)
            } else {
                query[name] = .string(value)
            }
        }

        let now = Date()
        let routeKey = match.route.path == "$default" ? "$default" : match.route.routeKey
        var context = JSONObject()
        context["accountId"] = "000000000000"
        context["apiId"] = "verdict-local"
        context["domainName"] = .string(request.headers.first(name: "host") ?? "localhost")
        context["domainPrefix"] = "verdict-local"
        context["http"] = [
            "method": .string(request.method.rawValue), "path": .string(request.path), "protocol": "HTTP/1.1",
            "sourceIp": .string(request.remoteAddress), "userAgent": .string(request.headers.first(name: "user-agent") ?? ""),
        ]
        context["requestId"] = .string(requestID)
        context["routeKey"] = .string(routeKey)
        context["stage"] = "$default"
        context["time"] = .string(Timestamps.apiGateway(now))
        context["timeEpoch"] = .int(Int64(now.timeIntervalSince1970 * 1000))

        var event = JSONObject()
        event["version"] = "2.0"
        event["routeKey"] = .string(routeKey)
        event["rawPath"] = .string(request.path)
        event["rawQueryString"] = .string(request.rawQuery)
        if !cookies.isEmpty { event["cookies"] = JSON(cookies) }
        event["headers"] = .object(headers)
        if !query.isEmpty { event["queryStringParameters"] = .object(query) }
        event["requestContext"] = .object(context)
        if !match.pathParameters.isEmpty {
            event["pathParameters"] = .object(
                JSONObject(match.pathParameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        if request.body.readableBytes > 0 {
            let bytes = Array(buffer: request.body)
            if isTextual(request.headers.first(name: "content-type")), let text = String(validating: bytes, as: UTF8.self) {
                event["body"] = .string(text)
                event["isBase64Encoded"] = false
            } else {
                event["body"] = .string(Data(bytes).base64EncodedString())
                event["isBase64Encoded"] = true
            }
        } else {
            event["isBase64Encoded"] = false
        }
        return JSON.object(event).serialized()
    }

    static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    /// API Gateway passes text bodies through and base64-encodes everything else.
    static func isTextual(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return true }
        return type.hasPrefix("text/") || type.contains("json") || type.contains("xml") || type.contains("x-www-form-urlencoded")
            || type.contains("javascript") || type.contains("yaml")
    }

    /// A function's output as API Gateway reads it: a `statusCode` object is a full response;
    /// anything else is a JSON body for a 200.
    static func httpResponse(fromFunctionOutput bytes: [UInt8]) -> ServerResponse? {
        guard let output = try? JSON.parse(bytes) else {
            return ServerResponse(status: .ok, contentType: "application/json", bytes: bytes)
        }
        guard case .object(let object) = output, let status = object["statusCode"]?.intValue else {
            return ServerResponse(status: .ok, contentType: "application/json", bytes: bytes)
        }
        guard (100...599).contains(status) else { return nil }
        var headers: [(String, String)] = []
        for pair in object["headers"]?.objectValue?.pairs ?? [] {
            let name = pair.key.lowercased()
            if ["content-length", "connection", "transfer-encoding"].contains(name) { continue }
            if let value = pair.value.stringValue {
                headers.append((name, value))
            } else if case .int(let number) = pair.value {
                headers.append((name, String(number)))
            } else if case .bool(let flag) = pair.value {
                headers.append((name, String(flag)))
            }
        }
        for cookie in object["cookies"]?.arrayValue ?? [] {
            if let value = cookie.stringValue { headers.append(("set-cookie", value)) }
        }
        var body = ByteBuffer()
        if let text = object["body"]?.stringValue {
            if object["isBase64Encoded"]?.boolValue == true {
                guard let data = Data(base64Encoded: text) else { return nil }
                body = ByteBuffer(bytes: data)
            } else {
                body = ByteBuffer(string: text)
            }
        }
        return ServerResponse(status: HTTPResponseStatus(statusCode: Int(status)), headers: headers, body: body)
    }
}

enum Timestamps {
    /// `21/Nov/2026:16:07:40 +0000`, API Gateway's requestContext.time format.
    static func apiGateway(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%d/%b/%Y:%H:%M:%S +0000", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func rfc3339(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
