import VerdictCore
import VerdictDB
import VerdictHTTP

extension ServiceError: ErrorResponseConvertible {
    public var apiError: APIError {
        switch self {
        case .invalid(let field, let reason): return .invalidParameter(field, reason)
        case .notFound(let what): return .notFound("\(what) not found")
        case .absent(let code, let message): return APIError(status: 404, code: code, message: message)
        case .conflict(let code, let message): return .conflict(message, code: code)
        case .forbidden(let message): return .forbidden(message)
        }
    }
}

extension DatabaseError: ErrorResponseConvertible {
    public var apiError: APIError {
        switch kind {
        case .connection: return .unavailable("the database is unreachable; retry shortly", code: "database_unavailable")
        case .query: return .internalError()
        }
    }
}
