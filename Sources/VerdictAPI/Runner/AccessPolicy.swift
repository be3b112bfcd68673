import VerdictCore
import VerdictHTTP

/// How an endpoint admits its caller. The runner asks the endpoint's policy once, before the
/// handler runs, and hands the handler what the policy granted: nothing for an open endpoint,
/// a `Viewer` for public reads, a `TeamAccess` for team work. Services take those values, so
/// an endpoint reaches a team's data only through the policy it declared.
public protocol AccessPolicy {
    associatedtype Granted: Sendable
    /// Whether the policy looks at an API key at all (open endpoints never touch the database).
    static var readsKey: Bool { get }
    static func grant(presentedKey: String?, authenticate: (String) throws -> TeamAccess?) throws -> Granted
}

/// No caller to speak of: liveness, readiness, the API description.
public enum Anyone: AccessPolicy {
    public struct Granted: Sendable {}
    public static var readsKey: Bool { false }
    public static func grant(presentedKey: String?, authenticate: (String) throws -> TeamAccess?) throws -> Granted { Granted() }
}

/// Reads: anyone may call, and sees public projects; a key with the read scope also sees its
/// team's private ones. A key that is sent must be valid: a typo is a 401, not a quiet
/// downgrade to anonymous.
public enum Reader: AccessPolicy {
    public static var readsKey: Bool { true }
    public static func grant(presentedKey: String?, authenticate: (String) throws -> TeamAccess?) throws -> Viewer {
        guard let presentedKey else { return .anonymous }
        return .team(try Member<ReadScope>.grant(presentedKey: presentedKey, authenticate: authenticate))
    }
}

/// A team's key that holds `Required.scope`: 401 without a valid key, 403 without the scope.
public enum Member<Required: RequiredScope>: AccessPolicy {
    public static var readsKey: Bool { true }
    public static func grant(presentedKey: String?, authenticate: (String) throws -> TeamAccess?) throws -> TeamAccess {
        guard let presentedKey else {
            throw APIError.unauthorized("an API key is required: send it as X-API-Key or Authorization: Bearer")
        }
        guard let access = try authenticate(presentedKey) else {
            throw APIError.unauthorized("the API key is invalid, expired or revoked")
        }
        guard access.has(Required.scope) else {
            throw APIError.forbidden("this API key lacks the '\(Required.scope.rawValue)' scope")
        }
        return access
    }
}

public protocol RequiredScope { static var scope: Scope { get } }
public enum ReadScope: RequiredScope { public static var scope: Scope { .read } }
public enum WriteScope: RequiredScope { public static var scope: Scope { .write } }
public enum AdminScope: RequiredScope { public static var scope: Scope { .admin } }

/// The scopes by what they let an endpoint do.
public typealias ReadsTeam = Member<ReadScope>
public typealias WritesTeam = Member<WriteScope>
public typealias AdministersTeam = Member<AdminScope>

extension HTTPRequest {
    /// The API key the request carries: `X-API-Key: <key>` or `Authorization: Bearer <key>`.
    public var presentedKey: String? {
        if let key = header("x-api-key"), !key.isEmpty { return key }
        if let authorization = header("authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmed() }
        }
        return nil
    }
}
