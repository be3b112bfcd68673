import VerdictJSON

/// An HTTP request as API Gateway's HTTP API (payload format 2.0) and Lambda function URLs
/// deliver it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var rawPath: String
    public var rawQueryString: String
    /// Lower-cased names; repeated headers arrive comma-joined, as API Gateway sends them.
    public var headers: [String: String]
    public var cookies: [String]
    public var pathParameters: [String: String]
    public var body: [UInt8]
    public var routeKey: String
    public var requestID: String
    public var sourceIP: String

    public init(
        method: String, rawPath: String, rawQueryString: String = "", headers: [String: String] = [:],
        cookies: [String] = [], pathParameters: [String: String] = [:], body: [UInt8] = [],
        routeKey: String = "$default", requestID: String = "", sourceIP: String = ""
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQueryString = rawQueryString
        self.headers = headers
        self.cookies = cookies
        self.pathParameters = pathParameters
        self.body = body
        self.routeKey = routeKey
        self.requestID = requestID
        self.sourceIP = sourceIP
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Query parameters in order, percent-decoded; a name may repeat.
    public var queryItems: [(name: String, value: String)] {
        Self.queryItems(in: rawQueryString)
    }

    /// The one reading of a query string, shared by `queryItems` and the event's
    /// `queryStringParameters` so the handler and the gateway cannot split it differently.
    static func queryItems(in rawQueryString: String) -> [(name: String, value: String)] {
        rawQueryString.split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let equals = part.firstIndex(of: "=") {
                return (
                    PercentEncoding.decodeQueryComponent(part[..<equals]),
                    PercentEncoding.decodeQueryComponent(part[part.index(after: equals)...])
                )
            }
            return (PercentEncoding.decodeQueryComponent(part), "")
        }
    }

    /// The first value of a query parameter.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    public func pathParameter(_ name: String) -> String? { pathParameters[name] }
}

extension HTTPRequest {
    public enum DecodingError: Error, CustomStringConvertible {
        case notAnHTTPEvent(String)

        public var description: String {
            switch self {
            case .notAnHTTPEvent(let why): return "payload is not an API Gateway HTTP API (2.0) event: \(why)"
            }
        }
    }

    /// Decodes an API Gateway HTTP API payload-format-2.0 event.
    public init(event: JSON) throws(DecodingError) {
        guard case .object = event else { throw .notAnHTTPEvent("not a JSON object") }
        guard let http = event["requestContext"]?["http"], let method = http["method"]?.stringValue else {
            throw .notAnHTTPEvent("requestContext.http.method is missing")
        }
        var headers: [String: String] = [:]
        for pair in event["headers"]?.objectValue?.pairs ?? [] {
            if let value = pair.value.stringValue { headers[pair.key.lowercased()] = value }
        }
        var pathParameters: [String: String] = [:]
        for pair in event["pathParameters"]?.objectValue?.pairs ?? [] {
            if let value = pair.value.stringValue { pathParameters[pair.key] = value }
        }
        var body: [UInt8] = []
        if let text = event["body"]?.stringValue {
            if event["isBase64Encoded"]?.boolValue == true {
                guard let decoded = Base64.decode(text) else { throw .notAnHTTPEvent("body is not valid base64") }
                body = decoded
            } else {
                body = Array(text.utf8)
            }
        }
        self.init(
            method: method.uppercased(),
            rawPath: event["rawPath"]?.stringValue ?? http["path"]?.stringValue ?? "/",
            rawQueryString: event["rawQueryString"]?.stringValue ?? "",
            headers: headers,
            cookies: event["cookies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            pathParameters: pathParameters,
            body: body,
            routeKey: event["routeKey"]?.stringValue ?? "$default",
            requestID: event["requestContext"]?["requestId"]?.stringValue ?? "",
            sourceIP: http["sourceIp"]?.stringValue ?? ""
        )
    }
}

extension HTTPRequest {
    /// What API Gateway knows about a request besides the request itself: the route it matched,
    /// the invocation it starts and the API it arrived at.
    public struct GatewayContext: Sendable {
        public var routeKey: String
        public var pathParameters: [String: String]
        public var requestID: String
        /// When the gateway received the request, in milliseconds since 1970 (UTC).
        public var timeEpochMilliseconds: Int64
        public var accountID: String
        public var apiID: String
        public var domainPrefix: String
        public var stage: String
        /// The scheme the client used, which the gateway passes on as `x-forwarded-proto`.
        public var scheme: String

        public init(
            routeKey: String, pathParameters: [String: String] = [:], requestID: String, timeEpochMilliseconds: Int64,
            accountID: String, apiID: String, domainPrefix: String, stage: String = "$default", scheme: String = "https"
        ) {
            self.routeKey = routeKey
            self.pathParameters = pathParameters
            self.requestID = requestID
            self.timeEpochMilliseconds = timeEpochMilliseconds
            self.accountID = accountID
            self.apiID = apiID
            self.domainPrefix = domainPrefix
            self.stage = stage
            self.scheme = scheme
        }
    }

    /// The payload-2.0 event API Gateway delivers for a request that arrived with these parts:
    /// the encoding direction of `init(event:)`, for whatever stands in for API Gateway.
    /// `headerFields` are as received (any case, in order, names may repeat).
    public static func event(
        method: String, rawPath: String, rawQueryString: String, headerFields: [(name: String, value: String)],
        body: [UInt8], sourceIP: String, httpVersion: String = "HTTP/1.1", context: GatewayContext
    ) -> JSON {
        // A header that should appear once is read as its first value, as HTTP servers do.
        func first(_ name: String) -> String? { headerFields.first { $0.name.lowercased() == name }?.value }

        var headers = JSONObject()
        var cookies: [String] = []
        for (name, value) in headerFields {
            let lowered = name.lowercased()
            // Payload 2.0 moves cookies out of the headers into a list of their own.
            if lowered == "cookie" {
                cookies += value.split(separator: ";").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }
                continue
            }
            headers.appendCommaJoined(lowered, value)
        }
        // The gateway, not the client, says who connected and how.
        headers["x-forwarded-for"] = .string(sourceIP)
        headers["x-forwarded-proto"] = .string(context.scheme)

        var query = JSONObject()
        for item in queryItems(in: rawQueryString) { query.appendCommaJoined(item.name, item.value) }

        var requestContext = JSONObject()
        requestContext["accountId"] = .string(context.accountID)
        requestContext["apiId"] = .string(context.apiID)
        requestContext["domainName"] = .string(first("host") ?? "localhost")
        requestContext["domainPrefix"] = .string(context.domainPrefix)
        requestContext["http"] = [
            "method": .string(method), "path": .string(rawPath), "protocol": .string(httpVersion), "sourceIp": .string(sourceIP),
            "userAgent": .string(first("user-agent") ?? ""),
        ]
        requestContext["requestId"] = .string(context.requestID)
        requestContext["routeKey"] = .string(context.routeKey)
        requestContext["stage"] = .string(context.stage)
        requestContext["time"] = .string(GatewayTime.requestTime(epochMilliseconds: context.timeEpochMilliseconds))
        requestContext["timeEpoch"] = .int(context.timeEpochMilliseconds)

        var event = JSONObject()
        event["version"] = "2.0"
        event["routeKey"] = .string(context.routeKey)
        event["rawPath"] = .string(rawPath)
        event["rawQueryString"] = .string(rawQueryString)
        if !cookies.isEmpty { event["cookies"] = JSON(cookies) }
        event["headers"] = .object(headers)
        if !query.isEmpty { event["queryStringParameters"] = .object(query) }
        event["requestContext"] = .object(requestContext)
        if !context.pathParameters.isEmpty {
            event["pathParameters"] = .object(
                JSONObject(context.pathParameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        if !body.isEmpty {
            if isTextual(first("content-type")), let text = String(validating: body, as: UTF8.self) {
                event["body"] = .string(text)
                event["isBase64Encoded"] = false
            } else {
                event["body"] = .string(Base64.encode(body))
                event["isBase64Encoded"] = true
            }
        } else {
            event["isBase64Encoded"] = false
        }
        return .object(event)
    }

    /// API Gateway passes text bodies through and base64-encodes everything else.
    static func isTextual(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return true }
        return type.hasPrefix("text/") || ["json", "xml", "x-www-form-urlencoded", "javascript", "yaml"].contains(where: type.containsText)
    }
}

extension JSONObject {
    /// Repeated headers (and query parameters) reach a function comma-joined, as API Gateway
    /// sends them; the first occurrence keeps its place.
    mutating func appendCommaJoined(_ key: String, _ value: String) {
        if let existing = self[key]?.stringValue {
            self[key] = .string(existing + "," + value)
        } else {
            self[key] = .string(value)
        }
    }
}

extension Substring {
    /// Cookie pairs are separated by `; `, and HTTP's optional whitespace is spaces and tabs.
    func trimmingSpaces() -> Substring {
        var trimmed = self
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        return trimmed
    }
}
