import HTTPContract
import VerdictJSON

/// Every error a client sees: a code from the catalogue (which fixes the HTTP status) and a
/// message that names what was wrong. Rendered as `{"error":{"code":…,"message":…}}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var headers: [(name: String, value: String)]

    public init(_ code: ErrorCode, _ message: String, headers: [(name: String, value: String)] = []) {
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var status: Int { code.status }

    public var description: String { "\(status) \(code.rawValue): \(message)" }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public static func invalidParameter(_ name: String, _ why: String) -> APIError {
        APIError(.invalidParameter, "\(name): \(why)")
    }

    public static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [("www-authenticate", "Bearer")])
    }

    public static func forbidden(_ message: String) -> APIError { APIError(.forbidden, message) }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    public static func internalError(_ message: String = "internal error") -> APIError { APIError(.internal, message) }
}

extension HTTPResponse {
    public static func error(_ error: APIError) -> HTTPResponse {
        .error(error.code, message: error.message, headers: error.headers)
    }
}

/// Errors from lower layers (the database, storage) that know which HTTP answer they deserve.
public protocol ErrorResponseConvertible: Error {
    var apiError: APIError { get }
}
