import VerdictJSON

/// A response in API Gateway's payload-format-2.0 shape.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var cookies: [String]
    public var body: [UInt8]
    /// Bodies that are not UTF-8 text travel base64-encoded, as API Gateway requires.
    public var isBinary: Bool

    public init(
        status: Int, headers: [(name: String, value: String)] = [], cookies: [String] = [], body: [UInt8] = [], isBinary: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBinary = isBinary
    }

    public static func json(_ value: JSON, status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("content-type", "application/json")] + headers, body: value.serialized())
    }

    public static func noContent() -> HTTPResponse { HTTPResponse(status: 204) }

    public static func redirect(to location: String, status: Int = 302) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("location", location), ("cache-control", "no-store")])
    }

    /// Verdict's error envelope, `{"error":{"code":…,"message":…}}`, with the status the code
    /// fixes: the one shape every error takes, from a handler or from the gateway in front of it.
    public static func error(_ code: ErrorCode, message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        .json(["error": ["code": .string(code.rawValue), "message": .string(message)]], status: code.status, headers: headers)
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The event-shaped JSON that goes back to API Gateway (or the emulator).
    public var event: JSON {
        var headerObject = JSONObject()
        for (name, value) in headers { headerObject.appendCommaJoined(name, value) }
        let textBody = isBinary ? nil : String(validating: body, as: UTF8.self)
        var object = JSONObject()
        object["statusCode"] = .int(Int64(status))
        object["headers"] = .object(headerObject)
        if !cookies.isEmpty { object["cookies"] = JSON(cookies) }
        object["body"] = .string(textBody ?? Base64.encode(body))
        object["isBase64Encoded"] = .bool(textBody == nil)
        return .object(object)
    }
}

extension HTTPResponse {
    public enum DecodingError: Error, CustomStringConvertible {
        case unusable(String)

        public var description: String {
            switch self {
            case .unusable(let why): return "not a response API Gateway can use: \(why)"
            }
        }
    }

    /// A function's output as API Gateway reads it: an object with a `statusCode` is a full
    /// response; anything else, JSON or not, is the body of a 200, byte for byte.
    public init(functionOutput bytes: [UInt8]) throws(DecodingError) {
        if let output = try? JSON.parse(bytes), let response = output.objectValue, let status = response["statusCode"]?.intValue {
            try self.init(response: response, status: status)
        } else {
            self = .functionBody(bytes)
        }
    }

    /// The decoding direction of `event`, by the same rules as `init(functionOutput:)`.
    public init(event: JSON) throws(DecodingError) {
        if let response = event.objectValue, let status = response["statusCode"]?.intValue {
            try self.init(response: response, status: status)
        } else {
            self = .functionBody(event.serialized())
        }
    }

    private static func functionBody(_ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("content-type", "application/json")], body: bytes)
    }

    /// Framing is the gateway's business: a function cannot set these.
    private static let hopByHopHeaders: Set<String> = ["content-length", "connection", "transfer-encoding"]

    private init(response: JSONObject, status: Int64) throws(DecodingError) {
        guard (100...599).contains(status) else { throw .unusable("statusCode \(status) is not an HTTP status") }
        var headers: [(name: String, value: String)] = []
        for pair in response["headers"]?.objectValue?.pairs ?? [] {
            let name = pair.key.lowercased()
            if Self.hopByHopHeaders.contains(name) { continue }
            switch pair.value {
            case .string(let value): headers.append((name, value))
            case .int(let number): headers.append((name, String(number)))
            case .bool(let flag): headers.append((name, String(flag)))
            default: continue
            }
        }
        var body: [UInt8] = []
        let isBinary = response["isBase64Encoded"]?.boolValue == true
        if let text = response["body"]?.stringValue {
            if isBinary {
                guard let decoded = Base64.decode(text) else { throw .unusable("isBase64Encoded is true but the body is not base64") }
                body = decoded
            } else {
                body = Array(text.utf8)
            }
        }
        self.init(
            status: Int(status), headers: headers, cookies: response["cookies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            body: body, isBinary: isBinary)
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 }) && lhs.cookies == rhs.cookies
            && lhs.body == rhs.body && lhs.isBinary == rhs.isBinary
    }
}
