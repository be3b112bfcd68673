import VerdictCrypto
import VerdictDB

public struct APIKeyRecord: Sendable, Equatable {
    public var id: APIKeyID
    public var teamID: TeamID
    public var name: String
    public var prefix: String
    public var scopes: [Scope]
    public var createdAt: String
    public var lastUsedAt: String?
    public var expiresAt: String?
    public var revokedAt: String?
}

/// A freshly minted key: the only moment its secret exists outside the caller's hands.
public struct CreatedAPIKey: Sendable {
    public var record: APIKeyRecord
    public var secret: String
}

/// Keys look like `vd_<12 chars public prefix>_<32 chars secret>`. Only the prefix and a
/// SHA-256 of the whole key are stored; the prefix finds the row, the hash proves the secret.
public struct APIKeyService {
    static let keyPrefix = "vd_"
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    static func split(_ key: String) -> (prefix: String, secret: String)? {
        guard key.hasPrefix(keyPrefix) else { return nil }
        let rest = key.dropFirst(keyPrefix.count)
        guard let underscore = rest.firstIndex(of: "_") else { return nil }
        let prefix = String(rest[..<underscore])
        let secret = String(rest[rest.index(after: underscore)...])
        guard prefix.count == 12, secret.count == 32,
            (prefix + secret).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        return (prefix, secret)
    }

    /// The team access the key grants, or nil for an unknown, malformed, revoked or expired key.
    public func authenticate(_ key: String) throws -> TeamAccess? {
        guard let parts = Self.split(key) else { return nil }
        // Every request of a key runs this: prepared once per connection.
        let result = try db.query(
            prepared:
                """
                SELECT k.id, k.name, k.key_hash, k.scopes, t.id AS team_id, t.slug, t.name AS team_name, t.projects_public,
                       (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale_use
                FROM api_keys k JOIN teams t ON t.id = k.team_id
                WHERE k.prefix = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
                """, [parts.prefix])
        guard let row = result.first else { return nil }
        let stored = Crypto.fromHex(try row.decode("key_hash", as: String.self).dropFirst(2)) ?? []
        guard Crypto.constantTimeEqual(stored, Crypto.sha256(Array(key.utf8))) else { return nil }
        let keyID = try row.decode("id", as: APIKeyID.self)
        if try row.decode("stale_use", as: Bool.self) {
            // Recorded at most once a minute per key, so authentication stays a read on hot paths.
            try db.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [keyID.text])
        }
        let team = Team(
            id: try row.decode("team_id"), slug: try row.decode("slug"), name: try row.decode("team_name"),
            projectsPublicByDefault: try row.decode("projects_public"))
        return TeamAccess(
            team: team, keyID: keyID, keyName: try row.decode("name"), scopes: try row.decode("scopes"))
    }

    /// A new key of the caller's team, recorded as made by the caller's key.
    public func create(for access: TeamAccess, name: String, scopes: [Scope], expiresAt: String? = nil) throws -> CreatedAPIKey {
        try create(teamID: access.teamID, name: name, scopes: scopes, expiresAt: expiresAt, createdBy: access.keyID)
    }

    /// A key for any team: the first key of a team has no caller to act for (the seed makes it).
    func create(teamID: TeamID, name: String, scopes: [Scope], expiresAt: String? = nil, createdBy: APIKeyID? = nil) throws
        -> CreatedAPIKey
    {
        let trimmed = try NameText.validate(name.trimmed(), field: "name", maximum: 200)
        guard !trimmed.isEmpty else { throw ServiceError.invalid(field: "name", reason: "must be 1 to 200 characters") }
        let expiresAt = try expiresAt.map { text throws(ServiceError) in try RFC3339.parse(text, field: "expires_at") }
        guard !scopes.isEmpty else { throw ServiceError.invalid(field: "scopes", reason: "must name at least one of read, write, admin") }
        let prefix = Crypto.randomBase62(12)
        let secret = Crypto.randomBase62(32)
        let key = "\(Self.keyPrefix)\(prefix)_\(secret)"
        let uniqueScopes = Scope.allCases.filter(scopes.contains)
        let result: QueryResult
        do {
            result = try db.query(
                """
                INSERT INTO api_keys (team_id, name, prefix, key_hash, scopes, expires_at, created_by)
                VALUES ($1, $2, $3, decode($4, 'hex'), $5::text[], $6::timestamptz, $7)
                RETURNING \(Self.columns)
                """,
                [
                    teamID.text, trimmed, prefix, Crypto.hex(Crypto.sha256(Array(key.utf8))),
                    postgresTextArray(uniqueScopes.map(\.rawValue)), expiresAt, createdBy?.text,
                ])
        } catch {
            // 22007/22008: the timestamp text is malformed or out of range.
            if error.sqlState == "22007" || error.sqlState == "22008" {
                throw ServiceError.invalid(field: "expires_at", reason: "must be an RFC 3339 timestamp")
            }
            throw error
        }
        return CreatedAPIKey(record: try Self.record(result.first!), secret: key)
    }

    public func list(for access: TeamAccess, limit: Int, after cursor: PageCursor?, includeRevoked: Bool) throws -> Page<APIKeyRecord> {
        let rows = try db.query(
            """
            SELECT \(Self.columns), rfc3339(created_at) AS sort_key FROM api_keys
            WHERE team_id = $1
              AND ($2::boolean OR revoked_at IS NULL)
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $5
            """,
            [
                access.teamID.text, includeRevoked ? "true" : "false", try ReadCursor.timestamp(cursor)?.createdAt, cursor?.id,
                String(limit + 1),
            ]
        ).rows
        return try Page.from(rows, limit: limit, item: Self.record) {
            PageCursor(sortKey: try $0.decode("sort_key"), id: try $0.decode("id"))
        }
    }

    /// Revoking is idempotent: a second revoke returns the key as already revoked.
    public func revoke(_ keyID: APIKeyID, for access: TeamAccess) throws -> APIKeyRecord {
        let result = try db.query(
            """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
            WHERE team_id = $1 AND id = $2
            RETURNING \(Self.columns)
            """, [access.teamID.text, keyID.text])
        guard let row = result.first else { throw ServiceError.notFound(keyID.named) }
        return try Self.record(row)
    }

    static let columns =
        "id, team_id, name, prefix, scopes, rfc3339(created_at) AS created, rfc3339(last_used_at) AS last_used, rfc3339(expires_at) AS expires, rfc3339(revoked_at) AS revoked"

    static func record(_ row: Row) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.decode("id"), teamID: try row.decode("team_id"), name: try row.decode("name"), prefix: try row.decode("prefix"),
            scopes: try row.decode("scopes", as: [Scope].self), createdAt: try row.decode("created"),
            lastUsedAt: try row.decodeIfPresent("last_used"), expiresAt: try row.decodeIfPresent("expires"),
            revokedAt: try row.decodeIfPresent("revoked"))
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    public func trimmed() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
