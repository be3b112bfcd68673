import VerdictJSON

/// A response in API Gateway's payload-format-2.0 shape.
public struct HTTPResponse: Sendable {
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

    public static func error(_ error: APIError) -> HTTPResponse {
        .json(["error": ["code": .string(error.code), "message": .string(error.message)]], status: error.status, headers: error.headers)
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The event-shaped JSON that goes back to API Gateway (or the emulator).
    public var event: JSON {
        var headerObject = JSONObject()
        for (name, value) in headers {
            if let existing = headerObject[name]?.stringValue {
                headerObject[name] = .string(existing + "," + value)
            } else {
                headerObject[name] = .string(value)
            }
        }
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

/// Every error a client sees: an HTTP status plus a stable machine-readable code and a message
/// that names what was wrong. Rendered as `{"error":{"code":…,"message":…}}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var headers: [(name: String, value: String)]

    public init(status: Int, code: String, message: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: 400, code: code, message: message)
    }

    public static func invalidParameter(_ name: String, _ why: String) -> APIError {
        APIError(status: 400, code: "invalid_parameter", message: "\(name): \(why)")
    }

    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: 401, code: "unauthorized", message: message, headers: [("www-authenticate", "Bearer")])
    }

    public static func forbidden(_ message: String) -> APIError {
        APIError(status: 403, code: "forbidden", message: message)
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    public static func conflict(_ message: String, code: String = "conflict") -> APIError {
        APIError(status: 409, code: code, message: message)
    }

    public static func unavailable(_ message: String, code: String = "unavailable") -> APIError {
        APIError(status: 503, code: code, message: message)
    }

    public static func internalError(_ message: String = "internal error") -> APIError {
        APIError(status: 500, code: "internal", message: message)
    }
}
