import VerdictJSON

/// The event API Gateway's WebSocket API hands a Lambda proxy integration: one per `$connect`
/// (the upgrade request), per message, and per `$disconnect`. Encoded by the emulator and
/// decoded by handlers, so both read the one shape.
public struct WebSocketEvent: Sendable, Equatable {
    public enum EventType: String, Sendable {
        case connect = "CONNECT"
        case message = "MESSAGE"
        case disconnect = "DISCONNECT"
    }

    public var eventType: EventType
    public var routeKey: String
    public var connectionID: String
    /// A message's payload (text frames as their UTF-8, binary frames as sent); empty on connect
    /// and disconnect.
    public var body: [UInt8]
    /// The message arrived in a binary frame, so the event carries it base64-encoded.
    public var isBinary: Bool
    /// Names as the client sent them; only `$connect` and `$disconnect` carry headers.
    public var multiValueHeaders: [String: [String]]
    /// Only `$connect` carries the upgrade request's query.
    public var multiValueQueryStringParameters: [String: [String]]
    public var requestID: String
    public var messageID: String?
    public var domainName: String
    public var stage: String
    public var apiID: String
    public var connectedAtMilliseconds: Int64
    public var requestTimeEpochMilliseconds: Int64
    public var sourceIP: String
    public var userAgent: String?
    /// `$disconnect` only: the close code and reason, as far as API Gateway learned them.
    public var disconnectStatusCode: Int?
    public var disconnectReason: String?

    public init(
        eventType: EventType, routeKey: String, connectionID: String, body: [UInt8] = [], isBinary: Bool = false,
        multiValueHeaders: [String: [String]] = [:], multiValueQueryStringParameters: [String: [String]] = [:], requestID: String,
        messageID: String? = nil, domainName: String, stage: String, apiID: String, connectedAtMilliseconds: Int64,
        requestTimeEpochMilliseconds: Int64, sourceIP: String, userAgent: String? = nil, disconnectStatusCode: Int? = nil,
        disconnectReason: String? = nil
    ) {
        self.eventType = eventType
        self.routeKey = routeKey
        self.connectionID = connectionID
        self.body = body
        self.isBinary = isBinary
        self.multiValueHeaders = multiValueHeaders
        self.multiValueQueryStringParameters = multiValueQueryStringParameters
        self.requestID = requestID
        self.messageID = messageID
        self.domainName = domainName
        self.stage = stage
        self.apiID = apiID
        self.connectedAtMilliseconds = connectedAtMilliseconds
        self.requestTimeEpochMilliseconds = requestTimeEpochMilliseconds
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.disconnectStatusCode = disconnectStatusCode
        self.disconnectReason = disconnectReason
    }

    /// A header's values comma-joined, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        let values = multiValueHeaders.filter { $0.key.lowercased() == lowered }.sorted { $0.key < $1.key }.flatMap(\.value)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }

    /// Single-valued, as the event's `queryStringParameters` has them: the last value wins.
    public var queryStringParameters: [String: String] {
        multiValueQueryStringParameters.compactMapValues(\.last)
    }

    public func query(_ name: String) -> String? { multiValueQueryStringParameters[name]?.last }

    public var bodyText: String? { isBinary ? nil : String(validating: body, as: UTF8.self) }
}

extension WebSocketEvent {
    /// The event as API Gateway serializes it.
    public var event: JSON {
        var requestContext = JSONObject()
        requestContext["routeKey"] = .string(routeKey)
        if let messageID { requestContext["messageId"] = .string(messageID) }
        if let disconnectStatusCode { requestContext["disconnectStatusCode"] = .int(Int64(disconnectStatusCode)) }
        if let disconnectReason { requestContext["disconnectReason"] = .string(disconnectReason) }
        requestContext["eventType"] = .string(eventType.rawValue)
        requestContext["extendedRequestId"] = .string(requestID)
        requestContext["requestTime"] = .string(GatewayTime.requestTime(epochMilliseconds: requestTimeEpochMilliseconds))
        requestContext["messageDirection"] = "IN"
        requestContext["stage"] = .string(stage)
        requestContext["connectedAt"] = .int(connectedAtMilliseconds)
        requestContext["requestTimeEpoch"] = .int(requestTimeEpochMilliseconds)
        var identity = JSONObject()
        if let userAgent { identity["userAgent"] = .string(userAgent) }
        identity["sourceIp"] = .string(sourceIP)
        requestContext["identity"] = .object(identity)
        requestContext["requestId"] = .string(requestID)
        requestContext["domainName"] = .string(domainName)
        requestContext["connectionId"] = .string(connectionID)
        requestContext["apiId"] = .string(apiID)

        var event = JSONObject()
        if eventType != .message {
            let names = multiValueHeaders.keys.sorted()
            event["headers"] = .object(JSONObject(names.compactMap { name in multiValueHeaders[name]!.last.map { (name, .string($0)) } }))
            event["multiValueHeaders"] = .object(JSONObject(names.map { ($0, JSON(multiValueHeaders[$0]!)) }))
        }
        if eventType == .connect, !multiValueQueryStringParameters.isEmpty {
            let names = multiValueQueryStringParameters.keys.sorted()
            event["queryStringParameters"] = .object(
                JSONObject(names.compactMap { name in multiValueQueryStringParameters[name]!.last.map { (name, .string($0)) } }))
            event["multiValueQueryStringParameters"] = .object(JSONObject(names.map { ($0, JSON(multiValueQueryStringParameters[$0]!)) }))
        }
        event["requestContext"] = .object(requestContext)
        if eventType == .message {
            event["body"] = .string(isBinary ? Base64.encode(body) : String(decoding: body, as: UTF8.self))
        }
        event["isBase64Encoded"] = .bool(isBinary)
        return .object(event)
    }

    public enum DecodingError: Error, CustomStringConvertible {
        case notAWebSocketEvent(String)

        public var description: String {
            switch self {
            case .notAWebSocketEvent(let why): return "payload is not an API Gateway WebSocket event: \(why)"
            }
        }
    }

    /// Whether a payload looks like a WebSocket event at all, before committing to decode it.
    public static func isWebSocketEvent(_ event: JSON) -> Bool {
        event["requestContext"]?["connectionId"]?.stringValue != nil && event["requestContext"]?["eventType"]?.stringValue != nil
    }

    public init(event: JSON) throws(DecodingError) {
        guard let context = event["requestContext"], case .object = context else {
            throw .notAWebSocketEvent("requestContext is missing")
        }
        guard let typeText = context["eventType"]?.stringValue, let type = EventType(rawValue: typeText) else {
            throw .notAWebSocketEvent("requestContext.eventType is missing or unknown")
        }
        guard let connectionID = context["connectionId"]?.stringValue, let routeKey = context["routeKey"]?.stringValue else {
            throw .notAWebSocketEvent("requestContext.connectionId or routeKey is missing")
        }
        func multiValued(_ multi: String, _ single: String) -> [String: [String]] {
            var values: [String: [String]] = [:]
            if let object = event[multi]?.objectValue {
                for pair in object.pairs { values[pair.key] = pair.value.arrayValue?.compactMap(\.stringValue) ?? [] }
            } else if let object = event[single]?.objectValue {
                for pair in object.pairs { if let value = pair.value.stringValue { values[pair.key] = [value] } }
            }
            return values
        }
        let isBinary = event["isBase64Encoded"]?.boolValue == true
        var body: [UInt8] = []
        if let text = event["body"]?.stringValue {
            if isBinary {
                guard let decoded = Base64.decode(text) else { throw .notAWebSocketEvent("body is not valid base64") }
                body = decoded
            } else {
                body = Array(text.utf8)
            }
        }
        let statusCode = context["disconnectStatusCode"]?.intValue
        self.init(
            eventType: type, routeKey: routeKey, connectionID: connectionID, body: body, isBinary: isBinary,
            multiValueHeaders: multiValued("multiValueHeaders", "headers"),
            multiValueQueryStringParameters: multiValued("multiValueQueryStringParameters", "queryStringParameters"),
            requestID: context["requestId"]?.stringValue ?? "", messageID: context["messageId"]?.stringValue,
            domainName: context["domainName"]?.stringValue ?? "", stage: context["stage"]?.stringValue ?? "",
            apiID: context["apiId"]?.stringValue ?? "", connectedAtMilliseconds: context["connectedAt"]?.intValue ?? 0,
            requestTimeEpochMilliseconds: context["requestTimeEpoch"]?.intValue ?? 0,
            sourceIP: context["identity"]?["sourceIp"]?.stringValue ?? "", userAgent: context["identity"]?["userAgent"]?.stringValue,
            disconnectStatusCode: statusCode.map { Int($0) }, disconnectReason: context["disconnectReason"]?.stringValue)
    }
}
