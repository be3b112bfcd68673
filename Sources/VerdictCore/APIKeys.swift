import VerdictCrypto
import VerdictDB

/// What an API key may do. `read` covers every GET, `write` ingestion and orchestration,
/// `admin` the team's keys and settings.
public enum Scope: String, Sendable, CaseIterable {
    case read, write, admin
}

/// The authenticated caller of a request.
public struct Principal: Sendable, Equatable {
    public var teamID: String
    public var teamSlug: String
    public var teamName: String
    public var keyID: String
    public var keyName: String
    public var scopes: [Scope]

    public func has(_ scope: Scope) -> Bool { scopes.contains(scope) }
}

public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var teamID: String
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

    /// Returns the key's principal, or nil for an unknown, malformed, revoked or expired key.
    public func authenticate(_ key: String) throws(DatabaseError) -> Principal? {
        guard let parts = Self.split(key) else { return nil }
        let result = try db.query(
            """
            SELECT k.id, k.name, k.key_hash, k.scopes, t.id AS team_id, t.slug, t.name AS team_name,
                   (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale_use
            FROM api_keys k JOIN teams t ON t.id = k.team_id
            WHERE k.prefix = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            """, [parts.prefix])
        guard let row = result.first else { return nil }
        let stored = Crypto.fromHex(row.string("key_hash").dropFirst(2)) ?? []
        guard Crypto.constantTimeEqual(stored, Crypto.sha256(Array(key.utf8))) else { return nil }
        if row.bool("stale_use") == true {
            // Recorded at most once a minute per key, so authentication stays a read on hot paths.
            try db.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [row.string("id")])
        }
        return Principal(
            teamID: row.string("team_id"), teamSlug: row.string("slug"), teamName: row.string("team_name"),
            keyID: row.string("id"), keyName: row.string("name"),
            scopes: row.textArray("scopes").compactMap(Scope.init(rawValue:)))
    }

    public func create(teamID: String, name: String, scopes: [Scope], expiresAt: String? = nil, createdBy: String? = nil) throws
        -> CreatedAPIKey
    {
        let trimmed = name.trimmed()
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw ServiceError.invalid(field: "name", reason: "must be 1 to 200 characters")
        }
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
                    teamID, trimmed, prefix, Crypto.hex(Crypto.sha256(Array(key.utf8))), postgresTextArray(uniqueScopes.map(\.rawValue)),
                    expiresAt, createdBy,
                ])
        } catch {
            // 22007/22008: the timestamp text is malformed or out of range.
            if error.sqlState == "22007" || error.sqlState == "22008" {
                throw ServiceError.invalid(field: "expires_at", reason: "must be an RFC 3339 timestamp")
            }
            throw error
        }
        return CreatedAPIKey(record: Self.record(result.first!), secret: key)
    }

    public func list(teamID: String, limit: Int, after cursor: PageCursor?, includeRevoked: Bool) throws -> Page<APIKeyRecord> {
        let rows = try db.query(
            """
            SELECT \(Self.columns), created_at AS sort_key FROM api_keys
            WHERE team_id = $1
              AND ($2::boolean OR revoked_at IS NULL)
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $5
            """,
            [teamID, includeRevoked ? "true" : "false", cursor?.sortKey, cursor?.id, String(limit + 1)]
        ).rows
        let items = rows.prefix(limit).map(Self.record)
        let next = rows.count > limit ? PageCursor(sortKey: rows[limit - 1].string("sort_key"), id: rows[limit - 1].string("id")) : nil
        return Page(items: Array(items), nextCursor: next)
    }

    public func get(teamID: String, keyID: String) throws -> APIKeyRecord {
        guard UUIDText.isValid(keyID) else { throw ServiceError.invalid(field: "id", reason: "must be a UUID") }
        guard let row = try db.query("SELECT \(Self.columns) FROM api_keys WHERE team_id = $1 AND id = $2", [teamID, keyID]).first else {
            throw ServiceError.notFound("API key \(keyID)")
        }
        return Self.record(row)
    }

    /// Revoking is idempotent: a second revoke returns the key as already revoked.
    public func revoke(teamID: String, keyID: String) throws -> APIKeyRecord {
        guard UUIDText.isValid(keyID) else { throw ServiceError.invalid(field: "id", reason: "must be a UUID") }
        let result = try db.query(
            """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
            WHERE team_id = $1 AND id = $2
            RETURNING \(Self.columns)
            """, [teamID, keyID])
        guard let row = result.first else { throw ServiceError.notFound("API key \(keyID)") }
        return Self.record(row)
    }

    static let columns =
        "id, team_id, name, prefix, scopes, rfc3339(created_at) AS created, rfc3339(last_used_at) AS last_used, rfc3339(expires_at) AS expires, rfc3339(revoked_at) AS revoked"

    static func record(_ row: Row) -> APIKeyRecord {
        APIKeyRecord(
            id: row.string("id"), teamID: row.string("team_id"), name: row.string("name"), prefix: row.string("prefix"),
            scopes: row.textArray("scopes").compactMap(Scope.init(rawValue:)),
            createdAt: row.string("created"), lastUsedAt: row["last_used"], expiresAt: row["expires"], revokedAt: row["revoked"])
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
