import VerdictJSON

/// Keyset pagination: a cursor names the last row a page returned (its sort key and id), so the
/// next page starts strictly after it and stays stable while new rows arrive.
public struct PageCursor: Sendable, Equatable {
    public var sortKey: String
    public var id: String

    public init(sortKey: String, id: String) {
        self.sortKey = sortKey
        self.id = id
    }

    public var token: String { Base64.encodeURLSafe(Array("\(sortKey)|\(id)".utf8)) }

    public init(token: String) throws(ServiceError) {
        guard let bytes = Base64.decodeURLSafe(token), let text = String(validating: bytes, as: UTF8.self),
            let bar = text.lastIndex(of: "|"), UUIDText.isValid(String(text[text.index(after: bar)...]))
        else {
            throw .invalid(field: "cursor", reason: "is not a cursor this API issued")
        }
        self.init(sortKey: String(text[..<bar]), id: String(text[text.index(after: bar)...]))
    }
}

public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: PageCursor?

    public init(items: [Item], nextCursor: PageCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

public enum PageLimit {
    public static let `default` = 50
    public static let maximum = 500

    public static func parse(_ text: String?, default fallback: Int = PageLimit.default) throws(ServiceError) -> Int {
        guard let text, !text.isEmpty else { return fallback }
        guard let value = Int(text), value >= 1, value <= maximum else {
            throw .invalid(field: "limit", reason: "must be a whole number from 1 to \(maximum)")
        }
        return value
    }
}
