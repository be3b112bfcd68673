/// The sort keys read lists put in their cursors. A cursor is opaque but not signed, so its
/// sort key is checked before it reaches SQL: a tampered cursor is the caller's 400, not a
/// failed cast and a 500.
enum ReadCursor {
    static func invalid() -> ServiceError { .invalid(field: "cursor", reason: "is not a cursor this API issued") }

    /// Newest-first lists: the last row's `rfc3339(created_at)`.
    static func timestamp(_ cursor: PageCursor?) throws(ServiceError) -> (createdAt: String, id: String)? {
        guard let cursor else { return nil }
        guard let createdAt = RFC3339.normalize(cursor.sortKey) else { throw invalid() }
        return (createdAt, cursor.id)
    }

    /// Lists in report order: `<report id>:<ordinal>` of the last row.
    static func position(reportID: String, ordinal: String, id: String) -> PageCursor {
        PageCursor(sortKey: "\(reportID):\(ordinal)", id: id)
    }

    static func position(_ cursor: PageCursor?) throws(ServiceError) -> (reportID: String, ordinal: String)? {
        guard let cursor else { return nil }
        let parts = cursor.sortKey.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, UUIDText.isValid(String(parts[0])), let ordinal = Int32(parts[1]), ordinal >= 0 else { throw invalid() }
        return (String(parts[0]), String(ordinal))
    }

    /// Lists ordered by a time-ordered (UUIDv7) id alone: the id is the whole key.
    static func id(_ cursor: PageCursor?) throws(ServiceError) -> String? {
        guard let cursor else { return nil }
        guard cursor.sortKey.isEmpty else { throw invalid() }
        return cursor.id
    }
}

extension Page {
    /// The page of a query that asked for `limit + 1` rows: the extra row only says that more
    /// follow, and the cursor names the last row kept.
    static func from<Source>(
        _ rows: [Source], limit: Int, item: (Source) throws -> Item, cursor: (Source) throws -> PageCursor
    ) rethrows -> Page {
        let kept = rows.prefix(limit)
        return Page(items: try kept.map(item), nextCursor: rows.count > limit ? try kept.last.map(cursor) : nil)
    }
}
