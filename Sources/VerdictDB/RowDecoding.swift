/// A value that can be read from PostgreSQL's text format.
public protocol PostgresTextDecodable {
    init?(postgresText: String)
}

/// Why a row could not be read as the code expected: a column the query does not have (a
/// misspelt name), NULL where a value must be, or text that is not the type asked for.
public struct RowDecodingError: Error, Sendable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case missingColumn
        case null
        case unreadable(String)
    }

    public var column: String
    public var problem: Problem

    public var description: String {
        switch problem {
        case .missingColumn: return "the result has no column \(column)"
        case .null: return "column \(column) is NULL where a value is required"
        case .unreadable(let text): return "column \(column) holds '\(text.prefix(80))', not the type asked for"
        }
    }
}

extension Row {
    /// The column's text, or nil for SQL NULL; a column the result lacks throws.
    public func text(_ column: String) throws(RowDecodingError) -> String? {
        guard let index = columns[column] else { throw RowDecodingError(column: column, problem: .missingColumn) }
        return values[index]
    }

    /// The column's value; NULL throws, since the caller said a value is always there.
    public func decode<Value: PostgresTextDecodable>(_ column: String, as type: Value.Type = Value.self) throws(RowDecodingError)
        -> Value
    {
        guard let value = try decodeIfPresent(column, as: type) else { throw RowDecodingError(column: column, problem: .null) }
        return value
    }

    /// The column's value, or nil for SQL NULL (which an empty string is not).
    public func decodeIfPresent<Value: PostgresTextDecodable>(_ column: String, as type: Value.Type = Value.self)
        throws(RowDecodingError) -> Value?
    {
        guard let text = try text(column) else { return nil }
        guard let value = Value(postgresText: text) else { throw RowDecodingError(column: column, problem: .unreadable(text)) }
        return value
    }
}

extension String: PostgresTextDecodable {
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresTextDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresTextDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresTextDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Bool: PostgresTextDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

/// A one-dimensional array (`{read,write}`); NULL elements are left out.
extension Array: PostgresTextDecodable where Element: PostgresTextDecodable {
    public init?(postgresText: String) {
        guard postgresText.hasPrefix("{"), postgresText.hasSuffix("}") else { return nil }
        var elements: [Element] = []
        for item in PostgresArray.parse(postgresText) {
            guard let element = Element(postgresText: item) else { return nil }
            elements.append(element)
        }
        self = elements
    }
}

extension UUIDKey: PostgresTextDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

/// Enums stored as their raw text (statuses, kinds) decode by it: an unknown word is an error
/// naming the column, not a silent default.
extension PostgresTextDecodable where Self: RawRepresentable, RawValue == String {
    public init?(postgresText: String) { self.init(rawValue: postgresText) }
}
