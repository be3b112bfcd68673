import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictReports
import VerdictS3

extension ServiceError: ErrorResponseConvertible {
    public var apiError: APIError {
        switch self {
        case .invalid(let field, let reason): return .invalidParameter(field, reason)
        case .notFound(let what): return .notFound("\(what) not found")
        case .absent(let code, let message): return APIError(status: 404, code: code, message: message)
        case .conflict(let code, let message): return .conflict(message, code: code)
        case .forbidden(let message): return .forbidden(message)
        case .unavailable(let message): return .unavailable(message)
        case .unprocessable(let code, let message): return APIError(status: 422, code: code, message: message)
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

extension ReportParseError: ErrorResponseConvertible {
    /// Broken bytes are a bad request; well-formed input that is not a report is unprocessable.
    public var apiError: APIError {
        var message = self.message
        if let line { message += " (line \(line), column \(column ?? 0))" }
        switch code {
        case .parseError: return APIError(status: 400, code: code.rawValue, message: message)
        case .notAReport: return APIError(status: 422, code: code.rawValue, message: message)
        case .unsupportedFormat: return APIError(status: 400, code: code.rawValue, message: message)
        }
    }
}

extension ObjectStoreError: ErrorResponseConvertible {
    public var apiError: APIError {
        .unavailable("the artifacts bucket could not be reached; retry shortly", code: "storage_unavailable")
    }
}
