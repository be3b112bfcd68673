import VerdictCore
import VerdictHTTP
import VerdictJSON

extension HTTPRequest {
    /// The body as a JSON object, or a 400 that says where the JSON broke.
    public func jsonObject() throws(APIError) -> JSONFields {
        if body.isEmpty { return JSONFields(JSONObject()) }
        let value: JSON
        do {
            value = try JSON.parse(body)
        } catch {
            throw APIError(.invalidJSON, "request body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError(.invalidJSON, "request body must be a JSON object")
        }
        return JSONFields(object)
    }

    public func limit(default fallback: Int = PageLimit.default) throws(ServiceError) -> Int {
        try PageLimit.parse(query("limit"), default: fallback)
    }

    public func cursor() throws(ServiceError) -> PageCursor? {
        guard let token = query("cursor"), !token.isEmpty else { return nil }
        return try PageCursor(token: token)
    }

    /// A path parameter the route guarantees; its absence means the template and code disagree.
    public func requiredPathParameter(_ name: String) throws(APIError) -> String {
        guard let value = pathParameter(name), !value.isEmpty else {
            throw APIError.invalidParameter(name, "path parameter is missing")
        }
        return value
    }

    /// The id in a path parameter; a malformed one is a 400 naming the parameter.
    public func pathID<Kind>(_ name: String, as type: ID<Kind>.Type = ID<Kind>.self) throws -> ID<Kind> {
        try ID(parsing: try requiredPathParameter(name), field: name)
    }
}

/// Typed access to a request object's fields, with errors that name the field.
public struct JSONFields {
    public let object: JSONObject

    public init(_ object: JSONObject) { self.object = object }

    public func string(_ name: String) throws(APIError) -> String? {
        guard let value = object[name], !value.isNull else { return nil }
        guard let string = value.stringValue else { throw .invalidParameter(name, "must be a string") }
        return string
    }

    /// A value CI systems send either way: a matrix index or run number arrives as a JSON
    /// number as often as a string; both are kept as text (`1` and `"1"` are the same shard).
    public func text(_ name: String) throws(APIError) -> String? {
        guard let value = object[name], !value.isNull else { return nil }
        if let string = value.stringValue { return string }
        if let int = value.intValue { return String(int) }
        throw .invalidParameter(name, "must be a string or a whole number")
    }

    public func bool(_ name: String) throws(APIError) -> Bool? {
        guard let value = object[name], !value.isNull else { return nil }
        guard let bool = value.boolValue else { throw .invalidParameter(name, "must be true or false") }
        return bool
    }

    public func requiredString(_ name: String) throws(APIError) -> String {
        guard let value = try string(name) else { throw .invalidParameter(name, "is required") }
        return value
    }

    public func int(_ name: String) throws(APIError) -> Int64? {
        guard let value = object[name], !value.isNull else { return nil }
        guard let int = value.intValue else { throw .invalidParameter(name, "must be a whole number") }
        return int
    }

    public func strings(_ name: String) throws(APIError) -> [String]? {
        guard let value = object[name], !value.isNull else { return nil }
        guard let array = value.arrayValue else { throw .invalidParameter(name, "must be an array of strings") }
        var strings: [String] = []
        for element in array {
            guard let string = element.stringValue else { throw .invalidParameter(name, "must be an array of strings") }
            strings.append(string)
        }
        return strings
    }

    /// Rejects fields the endpoint does not know, so a typo is an error instead of a silent default.
    public func rejectUnknown(allowed: Set<String>) throws(APIError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw .invalidParameter(unknown, "is not a known field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
