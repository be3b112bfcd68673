import HTTPContract
import VerdictDB

/// Compares two runs of one project test by test, matched by stable test id (never by title).
///
/// One statement joins the two runs' results, aggregates the tests that changed (a test with
/// several results in a run becomes one status and one duration) and counts every category;
/// only the first `limit` tests of each category leave the database. Duration regressions are
/// prefiltered against the base, and only those candidates' recent history is read (through
/// their scope's spans) for the median they are finally measured against.
public struct RunCompare {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// Compares `head` with `base`, or with the default base when `base` is nil.
    public func compare(head headID: RunID, base baseID: RunID?, options: CompareOptions, as viewer: Viewer) throws -> RunComparison {
        let head = try visibleRun(headID, field: "head", as: viewer)
        let base: RunSummary
        let selection: BaseSelection
        if let baseID {
            base = try visibleRun(baseID, field: "base", as: viewer).run
            guard base.projectID == head.run.projectID else {
                throw ServiceError.invalid(field: "base", reason: "must be a run of the head run's project (\(head.run.project))")
            }
            selection = .given
        } else {
            guard let found = try defaultBase(of: head.run, projectDefaultBranch: head.defaultBranch) else {
                throw ServiceError.refused(
                    .noBaseRun,
                    "no completed run of project \(head.run.project) was created before run \(head.run.id.text) on branch "
                        + "'\(head.run.branch)' or the default branch to compare it with; name one with base")
            }
            (base, selection) = found
        }
        return try comparison(head: head.run, base: base, selection: selection, options: options)
    }

    /// Compares a run with its default base for a caller that already holds the run (the gates
    /// judging a run as it completes): no visibility check. Nil when there is no base.
    public func compareWithDefaultBase(_ headID: RunID, options: CompareOptions) throws -> RunComparison? {
        guard
            let row = try db.query(
                prepared: """
                    SELECT \(RunQueries.columns), p.default_branch FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = $1
                    """, [headID.text]
            ).first
        else { throw ServiceError.notFound(headID.named) }
        let head = try RunQueries.summary(row)
        guard let (base, selection) = try defaultBase(of: head, projectDefaultBranch: try row.decodeIfPresent("default_branch")) else {
            return nil
        }
        return try comparison(head: head, base: base, selection: selection, options: options)
    }

    private func comparison(head: RunSummary, base: RunSummary, selection: BaseSelection, options: CompareOptions) throws
        -> RunComparison
    {
        var categories = try changes(base: base, head: head, options: options)
        try attachTitles(&categories)
        var comparison = RunComparison(base: base, head: head, baseSelection: selection, options: options, categories: categories)
        (comparison.newClusters, comparison.newClustersTotal) = try ClusterReads(db: db).introduced(
            in: head.id, since: base.id, limit: options.limit)
        return comparison
    }

    /// The base `head` is compared with when none is named (what a run page links to), or nil.
    public func defaultBase(of head: RunSummary) throws -> (run: RunSummary, selection: BaseSelection)? {
        let row = try db.query(prepared: "SELECT default_branch FROM projects WHERE id = $1", [head.projectID.text]).first
        return try defaultBase(of: head, projectDefaultBranch: try row?.decodeIfPresent("default_branch"))
    }

    /// The base a run is compared with when none is named: on the default branch (or when
    /// none is known), the latest completed run of the same branch created before it; on
    /// another branch, the default branch's latest completed run created before it, else the
    /// same branch's.
    public func defaultBase(of head: RunSummary, projectDefaultBranch: String?) throws -> (RunSummary, BaseSelection)? {
        let defaultBranch = try projectDefaultBranch ?? guessedDefaultBranch(head.projectID)
        if let defaultBranch, defaultBranch != head.branch, let run = try latestCompleted(before: head, on: defaultBranch) {
            return (run, .defaultBranch)
        }
        return try latestCompleted(before: head, on: head.branch).map { ($0, .sameBranch) }
    }

    /// The branch the project's runs are compared against when the project has not said:
    /// `main` if it has runs on it, else `master`, else none.
    func guessedDefaultBranch(_ projectID: ProjectID) throws -> String? {
        let row = try db.query(
            prepared: """
                SELECT CASE WHEN EXISTS (SELECT 1 FROM runs WHERE project_id = $1 AND branch = 'main') THEN 'main'
                            WHEN EXISTS (SELECT 1 FROM runs WHERE project_id = $1 AND branch = 'master') THEN 'master' END AS branch
                """, [projectID.text]
        ).first
        return try row?.decodeIfPresent("branch")
    }

    func latestCompleted(before head: RunSummary, on branch: String) throws -> RunSummary? {
        guard
            let row = try db.query(
                prepared: """
                    SELECT \(RunQueries.columns) FROM \(Self.completedRunsBefore(head: "$1", branch: "$2")) AS r
                    JOIN projects p ON p.id = r.project_id
                    ORDER BY r.created_at DESC, r.id DESC
                    LIMIT 1
                    """, [head.id.text, branch]
            ).first
        else { return nil }
        return try RunQueries.summary(row)
    }

    /// The completed runs of head's project on `branch` created before head (parameters named
    /// by `head` and `branch`), as a subquery to order newest first and cut. Head's project
    /// and place are read first, as values: joined to head instead, the planner walked every
    /// project's runs newest first until enough of this project's turned up, a walk as long
    /// as the database is busy.
    static func completedRunsBefore(head: String, branch: String) -> String {
        """
        (SELECT * FROM runs
         WHERE project_id = (SELECT project_id FROM runs WHERE id = \(head)) AND branch = \(branch) AND status = 'completed'
           AND (created_at, id) < (SELECT created_at, id FROM runs WHERE id = \(head)))
        """
    }

    /// The run and its project's default branch, if the viewer may see it.
    func visibleRun(_ id: RunID, field: String, as viewer: Viewer) throws -> (run: RunSummary, defaultBranch: String?) {
        guard
            let row = try db.query(
                prepared: """
                    SELECT \(RunQueries.columns), p.default_branch FROM runs r JOIN projects p ON p.id = r.project_id \(Visibility.join())
                    WHERE r.id = $1 AND \(Visibility.condition(viewer: "$2"))
                    """, [id.text, viewer.parameter]
            ).first
        else { throw ServiceError.notFound(id.named) }
        return (try RunQueries.summary(row), try row.decodeIfPresent("default_branch"))
    }

    // MARK: - The comparison

    /// One side's status of a test from all its results in that run (its column `<side>st` in
    /// `pairs`): nil when the run lacks the test, flaky when it failed and passed (or any result
    /// was flaky), else the worst of them.
    static func aggregateStatus(_ side: String) -> String {
        """
        CASE WHEN count(\(side)id) = 0 THEN NULL
             WHEN bool_or(\(side)st = 'flaky') OR (bool_or(\(side)st = 'passed') AND bool_or(\(side)st IN ('failed', 'errored'))) THEN 'flaky'
             WHEN bool_or(\(side)st = 'failed') THEN 'failed'
             WHEN bool_or(\(side)st = 'errored') THEN 'errored'
             WHEN bool_or(\(side)st = 'passed') THEN 'passed'
             ELSE 'skipped' END
        """
    }

    /// The conditions of every category but duration regressions, over `bs`/`hs` (statuses,
    /// NULL where the run lacks the test); `duration_candidate` is slower than the base by both
    /// thresholds, before history has its say.
    static let categoryConditions: [(String, String)] = [
        ("new_failures", "hs IN ('failed', 'errored') AND (bs IS NULL OR bs NOT IN ('failed', 'errored'))"),
        ("fixed", "bs IN ('failed', 'errored') AND hs IN ('passed', 'flaky')"),
        ("still_failing", "bs IN ('failed', 'errored') AND hs IN ('failed', 'errored')"),
        ("new_tests", "bs IS NULL"),
        ("removed_tests", "hs IS NULL"),
        ("newly_flaky", "hs = 'flaky' AND (bs IS NULL OR bs <> 'flaky')"),
        (
            "duration_candidate",
            "hms >= bms * (1 + $4::double precision / 100) AND hms - bms >= $5::double precision AND hs <> 'skipped' AND bs <> 'skipped'"
        ),
    ]

    /// Most tests of two runs are unchanged, and aggregating 100,000 tests per run costs more
    /// than everything else together. So the runs' raw results are joined once, into `pairs`,
    /// and only tests with a pair of results that differs (a status, a side missing, a failure
    /// or flake in head, head slower by `min_increase_ms`) are aggregated and categorised. That
    /// set holds every test whose aggregate could fall in a category: different aggregates need
    /// different sets of statuses, so some pair differs, and a mean slower by N ms needs a pair
    /// slower by N.
    ///
    /// The aggregates are taken over the pairs, not over the runs' cases read again (a second
    /// pass over 200,000 wide rows, a third of the statement's time): a test with m results in
    /// base and n in head has m×n pairs, each base result in n of them, so means, counts of
    /// distinct results and any-of statuses come out as over its own results.
    static let comparisonSQL = """
        WITH pairs AS MATERIALIZED (
            SELECT coalesce(h.test_id, b.test_id) AS test_id, b.id AS bid, h.id AS hid, b.status AS bst, h.status AS hst,
                b.duration_ms AS bd, h.duration_ms AS hd,
                b.test_id IS NULL OR h.test_id IS NULL OR b.status <> h.status OR h.status IN ('failed', 'errored', 'flaky')
                    OR h.duration_ms - b.duration_ms >= $5::double precision AS differs
            FROM (SELECT id, test_id, status, duration_ms FROM cases WHERE run_id = $1) AS b
            FULL JOIN (SELECT id, test_id, status, duration_ms FROM cases WHERE run_id = $2) AS h ON h.test_id = b.test_id
        ), j AS (
            SELECT test_id, \(aggregateStatus("b")) AS bs, \(aggregateStatus("h")) AS hs, avg(bd) AS bms, avg(hd) AS hms,
                min(bid::text)::uuid AS bc, min(hid::text)::uuid AS hc,
                nullif(count(DISTINCT bid), 0) AS br, nullif(count(DISTINCT hid), 0) AS hr,
                avg(bd) FILTER (WHERE bst <> 'skipped') AS bsample
            FROM pairs WHERE test_id IN (SELECT test_id FROM pairs WHERE differs) GROUP BY test_id
        ), k AS (
            SELECT j.*, category FROM j CROSS JOIN LATERAL unnest(ARRAY[
                \(categoryConditions.map { "CASE WHEN \($0.1) THEN '\($0.0)' END" }.joined(separator: ",\n        "))
            ]) AS category
            WHERE category IS NOT NULL
        )
        SELECT category, test_id, bs, hs, bms, hms, bc, hc, br, hr, bsample, total FROM (
            SELECT k.*, row_number() OVER (PARTITION BY category ORDER BY coalesce(hc, bc)) AS n,
                count(*) OVER (PARTITION BY category) AS total
            FROM k
        ) AS x
        WHERE n <= $3::bigint OR category = 'duration_candidate'
        ORDER BY category, n
        """

    /// Each candidate's mean duration per run in the base branch's last completed runs before
    /// head ($2, $3), then their median over those runs and how many there were.
    ///
    /// Cases are found through the candidates' scopes' spans (there is no index on test id).
    /// Spans that follow each other in a report are merged into one range first (an island:
    /// `last_ordinal + 1 - ` the running total of span lengths is the same all along it), so
    /// that when the candidates are spread over most scopes the cases are read in a few long
    /// index ranges instead of one index descent per span (12,000 for 1,000 candidates over
    /// three runs of 100,000). The cases read are the same.
    ///
    /// Base is usually one of those runs (always with the default base), and the comparison
    /// has just read its cases: its samples come as $5 (base $4's mean of each of $1, nil
    /// without a duration) rather than from its cases again.
    static let historySQL = """
        WITH recent AS (
            SELECT r.id FROM \(completedRunsBefore(head: "$3", branch: "$2")) AS r
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT \(CompareOptions.historyRuns)
        ), wanted AS (
            SELECT DISTINCT unnest($1::uuid[]) AS test_id
        ), spans AS (
            SELECT s.run_id, s.report_id, s.first_ordinal, s.last_ordinal,
                s.last_ordinal + 1 - sum(s.last_ordinal - s.first_ordinal + 1) OVER (PARTITION BY s.report_id ORDER BY s.first_ordinal)
                    AS island
            FROM test_scope_spans s
            WHERE s.scope IN (SELECT DISTINCT test_scope(test_id) FROM wanted)
              AND s.report_id IN (SELECT rp.id FROM reports rp WHERE rp.run_id IN (SELECT id FROM recent) AND rp.run_id <> $4)
        ), ranges AS (
            SELECT run_id, report_id, min(first_ordinal) AS first_ordinal, max(last_ordinal) AS last_ordinal
            FROM spans GROUP BY run_id, report_id, island
        ), per_run AS (
            -- OFFSET 0 keeps the lateral a loop of index range scans, whatever the estimates.
            SELECT c.test_id, c.run_id, avg(c.duration_ms) AS ms
            FROM ranges r CROSS JOIN LATERAL (
                SELECT c.test_id, c.run_id, c.duration_ms FROM cases c
                WHERE c.run_id = r.run_id AND c.report_id = r.report_id AND c.ordinal BETWEEN r.first_ordinal AND r.last_ordinal
                  AND c.status <> 'skipped' AND c.duration_ms IS NOT NULL
                OFFSET 0
            ) AS c
            WHERE c.test_id IN (SELECT test_id FROM wanted)
            GROUP BY c.test_id, c.run_id
            UNION ALL
            SELECT w.test_id, $4, w.ms FROM unnest($1::uuid[], $5::double precision[]) AS w(test_id, ms)
            WHERE w.ms IS NOT NULL AND $4 IN (SELECT id FROM recent)
        )
        SELECT test_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median, count(*) AS samples
        FROM per_run GROUP BY test_id
        """

    func changes(base: RunSummary, head: RunSummary, options: CompareOptions) throws -> [TestChanges] {
        // Two runs of 100,000 cases make hash tables of that many tests: with the default 4 MB of
        // work_mem they spill to disk, and the plan's cost would have PostgreSQL JIT-compile it,
        // which takes longer than running it. Right after an upload the new run has no
        // statistics yet and the planner, expecting a few rows, may pick a nested loop over two
        // sets of 100,000 (tens of seconds); every join here is of large sets, so hashing it is.
        // A run's cases are found through (run, report, ordinal): in a young database a run is a
        // quarter of the table and the planner would read all of it, four times, to find them.
        // The settings end with the transaction.
        let rows = try db.transaction {
            _ = try db.query(
                prepared: """
                    SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true),
                        set_config('enable_nestloop', 'off', true), set_config('enable_seqscan', 'off', true)
                    """)
            return try db.query(
                prepared: Self.comparisonSQL,
                [
                    base.id.text, head.id.text, String(options.limit), String(options.minIncreasePercent),
                    String(options.minIncreaseMilliseconds),
                ]
            ).rows
        }
        var lists: [String: TestChanges] = [:]
        var candidates: [(change: TestChange, baseSample: Double?)] = []
        for row in rows {
            let name: String = try row.decode("category")
            let change = try Self.change(row)
            if name == "duration_candidate" {
                candidates.append((change, try row.decodeIfPresent("bsample")))
            } else if let category = TestChangeCategory(rawValue: name) {
                let total: Int = try row.decode("total")
                lists[name, default: TestChanges(category: category, total: total, tests: [])].tests.append(change)
            }
        }
        lists[TestChangeCategory.durationRegressions.rawValue] = try regressions(
            candidates, base: base, head: head, options: options)
        return TestChangeCategory.allCases.map { lists[$0.rawValue] ?? TestChanges(category: $0, total: 0, tests: []) }
    }

    static func change(_ row: Row) throws -> TestChange {
        func side(_ prefix: String) throws -> TestSide? {
            guard let status: CaseStatus = try row.decodeIfPresent("\(prefix)s") else { return nil }
            return TestSide(
                status: status, durationMilliseconds: try row.decodeIfPresent("\(prefix)ms"), caseID: try row.decode("\(prefix)c"),
                results: try row.decode("\(prefix)r"))
        }
        return TestChange(testID: try row.decode("test_id"), fullTitle: "", base: try side("b"), head: try side("h"), reference: nil)
    }

    /// The candidates that stay slower against their reference: the median of their durations
    /// in the base branch's last completed runs before head when there are enough of them,
    /// else the base's duration. Slowest increase first.
    ///
    /// `baseSample` is the candidate's mean duration in base over its results that were not
    /// skipped, base's sample should base be one of those runs.
    func regressions(
        _ candidates: [(change: TestChange, baseSample: Double?)], base: RunSummary, head: RunSummary, options: CompareOptions
    ) throws -> TestChanges {
        var medians: [TestID: (Double, Int)] = [:]
        if !candidates.isEmpty {
            // A JIT compile of this plan takes longer than running it; the setting ends with the
            // transaction.
            let rows = try db.transaction {
                _ = try db.query(prepared: "SELECT set_config('jit', 'off', true)")
                return try db.query(
                    prepared: Self.historySQL,
                    [
                        postgresTextArray(candidates.map(\.change.testID.text)), base.branch, head.id.text, base.id.text,
                        postgresNullableTextArray(candidates.map { $0.baseSample.map { String($0) } }),
                    ]
                ).rows
            }
            for row in rows {
                medians[try row.decode("test_id")] = (try row.decode("median"), try row.decode("samples"))
            }
        }
        var regressions: [TestChange] = []
        for var candidate in candidates.map(\.change) {
            guard let headMs = candidate.head?.durationMilliseconds, let baseMs = candidate.base?.durationMilliseconds else { continue }
            let reference: DurationReference.Source
            let referenceMs: Double
            var samples = 0
            if let (median, count) = medians[candidate.testID], count >= CompareOptions.minimumHistorySamples {
                (reference, referenceMs, samples) = (.historyMedian, median, count)
            } else {
                (reference, referenceMs) = (.base, baseMs)
            }
            let increase = headMs - referenceMs
            guard increase >= options.minIncreaseMilliseconds, headMs >= referenceMs * (1 + options.minIncreasePercent / 100) else {
                continue
            }
            candidate.reference = DurationReference(
                source: reference, durationMilliseconds: referenceMs, samples: samples, increaseMilliseconds: increase,
                increasePercent: referenceMs > 0 ? increase / referenceMs * 100 : 0)
            regressions.append(candidate)
        }
        regressions.sort { ($0.reference!.increaseMilliseconds, $1.testID.text) > ($1.reference!.increaseMilliseconds, $0.testID.text) }
        return TestChanges(category: .durationRegressions, total: regressions.count, tests: Array(regressions.prefix(options.limit)))
    }

    /// Full titles of the listed tests, from the case each list links (head's, else base's).
    ///
    /// cases has no index on id (an id says where its case is), so each case is found as
    /// CaseDetailQuery finds one: its report by the id's prefix, then (run, report, ordinal).
    /// `id = ANY ($1)` scanned the whole table, and once the prepared statement went generic
    /// (after five executions) it compared every row with every id: a second for 700 ids.
    /// OFFSET 0 keeps each lookup a lookup: planned with the ids' count known (the first five
    /// executions), a join would hash all of cases instead.
    func attachTitles(_ categories: inout [TestChanges]) throws {
        let ids = Set(categories.flatMap { $0.tests.compactMap { ($0.head ?? $0.base)?.caseID } })
        guard !ids.isEmpty else { return }
        let locations = ids.map { (id: $0, location: Identifier.caseLocation($0.key)) }
        var titles: [String: String] = [:]
        for row in try db.query(
            prepared: """
                SELECT c.id, c.full_title
                FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::integer[]) AS w(id, reports_from, reports_through, ordinal)
                CROSS JOIN LATERAL (
                    SELECT c.id, case_full_title(c.full_title, c.classname, c.title) AS full_title
                    FROM reports rep JOIN cases c ON c.run_id = rep.run_id AND c.report_id = rep.id AND c.ordinal = w.ordinal
                    WHERE rep.id BETWEEN w.reports_from AND w.reports_through AND c.id = w.id
                    OFFSET 0
                ) AS c
                """,
            [
                postgresTextArray(locations.map(\.id.text)), postgresTextArray(locations.map(\.location.reportsFrom.text)),
                postgresTextArray(locations.map(\.location.reportsThrough.text)),
                postgresTextArray(locations.map { String($0.location.ordinal) }),
            ]
        ).rows {
            titles[try row.decode("id")] = try row.decode("full_title")
        }
        for index in categories.indices {
            for test in categories[index].tests.indices {
                let change = categories[index].tests[test]
                categories[index].tests[test].fullTitle = (change.head ?? change.base).flatMap { titles[$0.caseID.text] } ?? ""
            }
        }
    }
}
