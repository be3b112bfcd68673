import VerdictDB

/// A case that did not simply pass, with what a person needs to start on it: the deciding
/// attempt's first error with its stack, and the case's attachments.
public struct FailedCase: Sendable {
    public var summary: CaseSummary
    public var errorType: String?
    /// The deciding attempt's first stack as the tool wrote it, up to `RunFailures.stackLimit`
    /// characters: a list of failures is read a page at a time, and one tool's multi-megabyte
    /// dump must not make a page of them unbounded. The case's own read has all of it.
    public var stack: String?
    /// Whether `stack` stops short of the whole stack.
    public var stackIsTruncated: Bool
    public var attachments: [AttachmentRecord]
}

/// A run's failed, errored and flaky cases, in report order: what a run page shows first, and
/// what `GET /api/v1/runs/{id}/failures` answers.
public struct RunFailures {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public static let stackLimit = 16384

    /// Up to `limit` of them after `cursor`, each with its first error's stack and its attachments.
    public func list(_ runID: RunID, as viewer: Viewer, limit: Int, after cursor: PageCursor?) throws -> Page<FailedCase> {
        try RunQueries(db: db).requireVisible(runID, as: viewer)
        return try list(visible: runID, limit: limit, after: cursor)
    }

    /// The failures of a run the caller has already read for its viewer, without asking again.
    public func list(of run: RunSummary, limit: Int, after cursor: PageCursor?) throws -> Page<FailedCase> {
        try list(visible: run.id, limit: limit, after: cursor)
    }

    private func list(visible runID: RunID, limit: Int, after cursor: PageCursor?) throws -> Page<FailedCase> {
        let position = try ReadCursor.position(cursor)
        // The page's cases first, then one stack each: joined before the LIMIT, every failure of
        // a large run had its stack read (and decompressed) only to be thrown away. The stack is
        // read once (OFFSET 0 keeps the subquery whole) and cut only when it is long: `left`
        // walks characters, which on every stack cost more than the rest of the query.
        let rows = try db.query(prepared:
            """
            SELECT f.*, e.error_type,
                CASE WHEN octet_length(e.stack) <= $5::integer THEN e.stack ELSE left(e.stack, $5::integer) END AS stack,
                coalesce(octet_length(e.stack) > $5::integer, false) AS stack_truncated
            FROM (
                SELECT \(CaseQueries.columns) FROM cases
                WHERE run_id = $1 AND status <> 'passed' AND status IN ('failed', 'errored', 'flaky')
                  AND ($2::uuid IS NULL OR (report_id, ordinal) > ($2::uuid, $3::integer))
                ORDER BY report_id, ordinal
                LIMIT $4
            ) f
            LEFT JOIN LATERAL (
                SELECT a.error_types[1] AS error_type, a.error_stacks[1] AS stack
                FROM attempts a
                WHERE a.case_id = f.id AND a.status IN ('failed', 'errored') AND a.error_messages IS NOT NULL
                ORDER BY a.attempt DESC LIMIT 1 OFFSET 0
            ) e ON true
            ORDER BY f.report_id, f.ordinal
            """, [runID.text, position?.reportID, position?.ordinal, String(limit + 1), String(Self.stackLimit)]
        ).rows
        let page = try Page.from(
            rows, limit: limit,
            item: { row in
                FailedCase(
                    summary: try CaseQueries.summary(row), errorType: try row.decodeIfPresent("error_type"),
                    stack: try row.decodeIfPresent("stack"), stackIsTruncated: try row.decode("stack_truncated"), attachments: [])
            }
        ) {
            ReadCursor.position(reportID: try $0.decode("report_id"), ordinal: try $0.decode("ordinal"), id: try $0.decode("id"))
        }
        guard !page.items.isEmpty else { return page }
        let attachments = try CaseDetailQuery(db: db).attachments(ofCases: page.items.map(\.summary.id))
        var items = page.items
        for index in items.indices { items[index].attachments = attachments[items[index].summary.id] ?? [] }
        return Page(items: items, nextCursor: page.nextCursor)
    }
}
