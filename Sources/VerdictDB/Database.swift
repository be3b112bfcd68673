#if canImport(Glibc)
    import Glibc
#endif

/// The process's single database connection: opened on first use, kept across invocations,
/// re-opened by `PostgresConnection` when it breaks.
public enum Database {
    nonisolated(unsafe) private static var connection: PostgresConnection?

    /// `DATABASE_URL` as libpq understands it (a `postgresql://` URI or `key=value` pairs).
    public static var url: String? {
        getenv("DATABASE_URL").map { String(cString: $0) }
    }

    public static func shared() throws(DatabaseError) -> PostgresConnection {
        if let connection { return connection }
        guard let url else {
            throw DatabaseError(kind: .connection, message: "DATABASE_URL is not set")
        }
        let opened = try PostgresConnection(url: url)
        connection = opened
        return opened
    }
}
