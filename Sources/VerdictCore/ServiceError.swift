import HTTPContract
import VerdictDB

/// What a core service refuses, in domain terms. The HTTP layer maps each case to its answer;
/// services never think in HTTP, only in the catalogue's codes.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A caller-supplied value is wrong; `field` names it as the caller spelled it.
    case invalid(field: String, reason: String)
    /// The object does not exist, or the caller may not see it (the two look the same).
    case notFound(String)
    /// Refused for a reason the catalogue names: a conflict with what is stored, content that
    /// cannot be processed, a dependency that is not there.
    case refused(ErrorCode, String)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): return "\(field): \(reason)"
        case .notFound(let what): return "\(what) not found"
        case .refused(_, let message): return message
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
