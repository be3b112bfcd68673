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
