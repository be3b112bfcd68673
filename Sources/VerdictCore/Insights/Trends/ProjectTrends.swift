import VerdictDB

/// The width of a trends bucket; buckets start at UTC midnight, on Mondays (ISO weeks) and on
/// the first of the month.
public enum TrendBucket: String, Sendable, CaseIterable {
    case day, week, month

    var interval: String { "1 \(rawValue)" }
}

/// What a trends read asks for. Nil times default to the 30 days before now.
public struct TrendsQuery: Sendable {
    public var project: String
    public var branch: String?
    /// RFC 3339, as `RFC3339.parse` checked it.
    public var since: String?
    public var until: String?
    public var bucket: TrendBucket

    /// More buckets than this is 400 naming `since`: a wider bucket or a shorter range answers.
    public static let maxBuckets = 400
    public static let defaultDays = 30

    public init(project: String, branch: String?, since: String?, until: String?, bucket: TrendBucket) {
        self.project = project
        self.branch = branch
        self.since = since
        self.until = until
        self.bucket = bucket
    }
}

/// A project's completed runs per bucket of time.
public struct ProjectTrends: Sendable {
    public var project: ProjectRecord
    public var branch: String?
    public var bucket: TrendBucket
    /// The first bucket's start (`since` rounded down to its bucket) and `until`.
    public var since: String
    public var until: String
    /// Every bucket in the range, oldest first, those without runs too.
    public var buckets: [TrendPoint]
}

/// One bucket's completed runs: counts summed over them, rates over those sums, and the
/// median and 95th percentile of their wall-clock durations.
public struct TrendPoint: Sendable {
    public var start: String
    public var end: String
    public var runs: Int
    /// Runs with at least one failed or errored test.
    public var failedRuns: Int
    public var totals: ResultTotals
    public var durationP50Milliseconds: Double?
    public var durationP95Milliseconds: Double?

    /// Failed and errored tests.
    public var failures: Int { totals.failed + totals.errors }
    /// Passed (flaky included) over the tests that ran; nil without any.
    public var passRate: Double? { totals.passRate }
    /// Flaky over the tests that ran; nil without any.
    public var flakyRate: Double? {
        let ran = totals.tests - totals.skipped
        return ran > 0 ? Double(totals.flaky) / Double(ran) : nil
    }
}

/// Reads trends: plain PostgreSQL (generate_series for the buckets, percentile_cont for the
/// durations) over the `runs_project_branch_created`/`runs_project_created` indexes; no case
/// is read.
public struct TrendsService {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func trends(_ query: TrendsQuery, as viewer: Viewer) throws -> ProjectTrends {
        for (field, value) in [("since", query.since), ("until", query.until)] {
            // Runs are from this century; a year 1 or 9999 only finds PostgreSQL's limits.
            if let value, let year = Int(value.prefix(4)), !(1900...9998).contains(year) {
                throw ServiceError.invalid(field: field, reason: "must be a time between the years 1900 and 9998")
            }
        }
        let project = try ProjectLookup(db: db).visible(query.project, as: viewer)
        // The range in UTC, `since` rounded down to its bucket, and how many buckets it holds.
        guard
            let range = try db.query(
                prepared: """
                    WITH given AS (
                        SELECT coalesce($2::timestamptz, now()) AS u, $1::timestamptz AS s
                    ), bounds AS (
                        SELECT date_trunc($3, coalesce(s, u - make_interval(days => $4::integer)) AT TIME ZONE 'UTC') AS s,
                            u AT TIME ZONE 'UTC' AS u
                        FROM given
                    )
                    SELECT rfc3339(s AT TIME ZONE 'UTC') AS since, rfc3339(u AT TIME ZONE 'UTC') AS until, u > s AS ordered,
                        CASE WHEN u <= s THEN 0
                             WHEN $3 = 'month' THEN ((extract(year FROM u) - extract(year FROM s)) * 12
                                 + extract(month FROM u) - extract(month FROM s))::bigint
                                 + CASE WHEN u > date_trunc('month', u) THEN 1 ELSE 0 END
                             ELSE ceil(extract(epoch FROM u - s) / extract(epoch FROM $5::interval))::bigint END AS buckets
                    FROM bounds
                    """, [query.since, query.until, query.bucket.rawValue, String(TrendsQuery.defaultDays), query.bucket.interval]
            ).first
        else { throw ServiceError.invalid(field: "since", reason: "could not be read") }
        guard try range.decode("ordered", as: Bool.self) else {
            throw ServiceError.invalid(
                field: query.until == nil ? "since" : "until", reason: "must be later than since (until defaults to now)")
        }
        let count: Int = try range.decode("buckets")
        guard count <= TrendsQuery.maxBuckets else {
            throw ServiceError.invalid(
                field: "since",
                reason: "the range holds \(count) \(query.bucket.rawValue) buckets, more than \(TrendsQuery.maxBuckets); "
                    + "choose a later since, an earlier until or a wider bucket")
        }
        let since: String = try range.decode("since")
        let until: String = try range.decode("until")
        let rows = try db.query(
            prepared: """
                WITH buckets AS (
                    SELECT b AS start, least(b + $5::interval, $4::timestamptz AT TIME ZONE 'UTC') AS finish
                    FROM generate_series($3::timestamptz AT TIME ZONE 'UTC', ($4::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
                        $5::interval) AS b
                ), rs AS (
                    SELECT date_trunc($6, r.created_at AT TIME ZONE 'UTC') AS bucket, r.tests, r.passed, r.failed, r.skipped, r.errors,
                        r.flaky, (extract(epoch FROM r.ended_at - r.started_at) * 1000)::double precision AS duration
                    FROM runs r
                    WHERE r.project_id = $1 AND ($2::text IS NULL OR r.branch = $2) AND r.status = 'completed'
                      AND r.created_at >= $3::timestamptz AND r.created_at < $4::timestamptz
                )
                SELECT rfc3339(b.start AT TIME ZONE 'UTC') AS start, rfc3339(b.finish AT TIME ZONE 'UTC') AS finish,
                    count(rs.bucket) AS runs, count(rs.bucket) FILTER (WHERE rs.failed + rs.errors > 0) AS failed_runs,
                    coalesce(sum(rs.tests), 0) AS tests, coalesce(sum(rs.passed), 0) AS passed, coalesce(sum(rs.failed), 0) AS failed,
                    coalesce(sum(rs.skipped), 0) AS skipped, coalesce(sum(rs.errors), 0) AS errors, coalesce(sum(rs.flaky), 0) AS flaky,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY rs.duration) AS p50,
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY rs.duration) AS p95
                FROM buckets b LEFT JOIN rs ON rs.bucket = b.start
                GROUP BY b.start, b.finish
                ORDER BY b.start
                """, [project.id.text, query.branch, since, until, query.bucket.interval, query.bucket.rawValue]
        ).rows
        let points = try rows.map { row in
            TrendPoint(
                start: try row.decode("start"), end: try row.decode("finish"), runs: try row.decode("runs"),
                failedRuns: try row.decode("failed_runs"), totals: try ResultTotals(row),
                durationP50Milliseconds: try row.decodeIfPresent("p50"), durationP95Milliseconds: try row.decodeIfPresent("p95"))
        }
        return ProjectTrends(project: project, branch: query.branch, bucket: query.bucket, since: since, until: until, buckets: points)
    }
}

/// A project the viewer may see, by its id or its name (as `ProjectReference` resolves it),
/// with the record the trends show.
public struct ProjectLookup {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func visible(_ idOrName: String, as viewer: Viewer) throws -> ProjectRecord {
        let id = try ProjectReference(db: db).resolve(idOrName, as: viewer)
        guard
            let row = try db.query(
                prepared: "SELECT \(ProjectService.columns) FROM projects p \(Visibility.join()) WHERE p.id = $1", [id.text]
            ).first
        else { throw ServiceError.notFound("project \(idOrName)") }
        return try ProjectService.record(row)
    }
}
