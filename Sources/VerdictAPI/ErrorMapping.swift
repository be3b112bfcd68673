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
        case .refused(let code, let message): return APIError(code, message)
        }
    }
}

extension DatabaseError: ErrorResponseConvertible {
    public var apiError: APIError {
        switch kind {
        case .connection: return APIError(.databaseUnavailable, "the database is unreachable; retry shortly")
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
        case .parseError: return APIError(.parseError, message)
        case .notAReport: return APIError(.notAReport, message)
        case .unsupportedFormat: return APIError(.unsupportedFormat, message)
        }
    }
}

extension ObjectStoreError: ErrorResponseConvertible {
    public var apiError: APIError {
        APIError(.storageUnavailable, "the artifacts bucket could not be reached; retry shortly")
    }
}
