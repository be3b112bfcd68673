import VerdictCore
import VerdictHTTP

/// Query parameters of the read endpoints. An empty value (`?branch=`) counts as absent, the
/// way a form with an untouched field sends it.
extension HTTPRequest {
    public func nonEmptyQuery(_ name: String) -> String? {
        guard let value = query(name), !value.isEmpty else { return nil }
        return value
    }

    public func idQuery<Kind>(_ name: String, as type: ID<Kind>.Type = ID<Kind>.self) throws(ServiceError) -> ID<Kind>? {
        guard let value = nonEmptyQuery(name) else { return nil }
        return try ID(parsing: value, field: name)
    }

    /// RFC 3339; a literal `+` in the offset may arrive unencoded (as a space) and is accepted.
    public func timestampQuery(_ name: String) throws(ServiceError) -> String? {
        guard let value = nonEmptyQuery(name) else { return nil }
        return try RFC3339.parse(value, field: name)
    }
}
