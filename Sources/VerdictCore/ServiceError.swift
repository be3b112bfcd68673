import VerdictDB

/// What a core service refuses, in domain terms. The HTTP layer maps each case to a status and
/// an error code; services never think in HTTP.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A caller-supplied value is wrong; `field` names it as the caller spelled it.
    case invalid(field: String, reason: String)
    case notFound(String)
    /// The object exists but the content asked of it does not (a file never uploaded); `code`
    /// tells the caller which content is missing.
    case absent(code: String, message: String)
    case conflict(code: String, message: String)
    case forbidden(String)
    /// Something the service depends on (the bucket, a parser's input) is not there right now.
    case unavailable(String)
    /// The input is well-formed as a request but its content cannot be processed (a report
    /// that is not a report, a file whose checksum does not match).
    case unprocessable(code: String, message: String)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): return "\(field): \(reason)"
        case .notFound(let what): return "\(what) not found"
        case .absent(_, let message): return message
        case .conflict(_, let message): return message
        case .forbidden(let message): return message
        case .unavailable(let message): return message
        case .unprocessable(_, let message): return message
        }
    }
}

public enum UUIDText {
    /// Accepts the canonical 8-4-4-4-12 hex form, in either case.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
                return false
            }
        }
        return true
    }
}
