import VerdictDB
import VerdictJSON

extension Row {
    /// A `jsonb` column as JSON. PostgreSQL only stores valid JSON there, so a value that does
    /// not parse can only be SQL NULL, which reads as JSON null.
    func json(_ name: String) throws(RowDecodingError) -> JSON {
        guard let text = try text(name), let value = try? JSON.parse(text) else { return .null }
        return value
    }
}
