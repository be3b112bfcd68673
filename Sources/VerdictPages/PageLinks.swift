import HTTPContract
import VerdictHTML

extension URLPath {
    /// This page's own link with its current query, one parameter replaced (or, with nil,
    /// dropped): "next page" keeps the filters, a filter change drops the cursor.
    func appendingQueries(_ items: [(name: String, value: String)], replacing name: String, with value: String?) -> URLPath {
        var url = self
        for item in items where item.name != name && !item.value.isEmpty { url = url.appendingQuery(item.name, item.value) }
        return url.appendingQuery(name, value)
    }
}

/// Dates from `<input type="date">` (`2026-05-01`), read as UTC days.
enum EpochMillisecondsDay {
    static func start(of date: String) -> Int64? { EpochMilliseconds.parse(date + "T00:00:00Z") }
    static func rfc3339(_ milliseconds: Int64) -> String { EpochMilliseconds.rfc3339(milliseconds) }
}
