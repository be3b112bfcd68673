import HTTPContract
import VerdictDB
import VerdictInsights

/// One test on the flaky list.
public struct FlakyTest: Sendable {
    public var testID: TestID
    public var fullTitle: String
    public var file: String?
    public var verdict: FlakinessVerdict
    /// RFC 3339 of the latest result considered.
    public var lastSeen: String?
    public var quarantine: QuarantineRecord?
}

public struct FlakyListPage: Sendable {
    public var project: ProjectReference.Resolved
    public var branch: String
    public var windowDays: Int
    public var page: Page<FlakyTest>
}

/// The flaky list: a branch's watched tests reclassified over the requested window (only the
/// watch list is read, never the cases), those flaky or broken ranked by score, then last seen.
public struct FlakyList {
    let db: PostgresConnection
    public var classifier = FlakinessClassifier()

    public init(db: PostgresConnection) { self.db = db }

    public static let defaultWindowDays = 30

    public func list(
        project reference: String, branch: String?, windowDays: Int, only: FlakinessClassification?, as viewer: Viewer, limit: Int,
        after cursor: PageCursor?
    ) throws -> FlakyListPage {
        let project = try ProjectReference(db: db).lookup(reference, as: viewer)
        let branch = try branch ?? DefaultBranch(db: db).of(project.id)
        let (tests, _) = try classified(projectID: project.id, branch: branch, windowDays: windowDays)
        var listed = tests.filter {
            $0.verdict.classification == .flaky || $0.verdict.classification == .broken
        }
        if let only { listed = listed.filter { $0.verdict.classification == only } }
        listed.sort(by: Self.ranked)
        var start = 0
        if let cursor {
            let parts = cursor.sortKey.split(separator: ":")
            guard parts.count == 2, let score = Double(parts[0]), let seen = Int64(parts[1]) else {
                throw ServiceError.invalid(field: "cursor", reason: "is not a cursor this API issued")
            }
            start = listed.firstIndex { Self.after($0, score: score, seen: seen, id: cursor.id) } ?? listed.count
        }
        let slice = Array(listed[start..<min(listed.count, start + limit + 1)])
        var items = Array(slice.prefix(limit))
        let quarantines = try QuarantineService(db: db).active(projectID: project.id.text, tests: items.map(\.testID.text))
        for index in items.indices { items[index].quarantine = quarantines[items[index].testID.text] }
        let next = slice.count > limit ? items.last.map(Self.cursor) : nil
        return FlakyListPage(project: project, branch: branch, windowDays: windowDays, page: Page(items: items, nextCursor: next))
    }

    /// Every watched test of the branch with its verdict over the window (any classification).
    public func classified(projectID: ProjectID, branch: String, windowDays: Int) throws -> ([FlakyTest], now: Int64) {
        let rows = try db.query(
            prepared: """
                SELECT test_id, full_title, file, history, classification, (extract(epoch FROM now()) * 1000)::bigint AS now
                FROM test_flakiness WHERE project_id = $1 AND branch = $2
                """, [projectID.text, branch]
        ).rows
        guard let first = rows.first else { return ([], 0) }
        let now: Int64 = try first.decode("now")
        let since = now - Int64(windowDays) * 86_400_000
        var tests: [FlakyTest] = []
        tests.reserveCapacity(rows.count)
        for row in rows {
            let records = FlakinessHistory.decode(try row.decode("history"))
            let verdict = classifier.classify(
                FlakinessHistory.observations(records, since: since),
                previous: FlakinessClassification(rawValue: try row.decode("classification")))
            tests.append(
                FlakyTest(
                    testID: try row.decode("test_id"), fullTitle: try row.decode("full_title"), file: try row.decodeIfPresent("file"),
                    verdict: verdict, lastSeen: verdict.evidence.lastSeen.map(EpochMilliseconds.rfc3339)))
        }
        return (tests, now)
    }

    /// One test's stored verdict and evidence on each branch that watches it (for its page).
    public func verdicts(of testID: TestID, as viewer: Viewer) throws -> [(branch: String, test: FlakyTest)] {
        let rows = try db.query(
            """
            SELECT f.branch, f.test_id, f.full_title, f.file, f.classification, f.score, f.failure_rate, f.rate_lower, f.rate_upper,
                f.runs, f.failures, f.flips, f.same_commit_contradictions, f.retry_passes, f.excluded_burst_runs,
                f.trailing_clean_runs, rfc3339(f.last_seen_at) AS last_seen,
                (extract(epoch FROM f.last_seen_at) * 1000)::bigint AS last_seen_ms
            FROM test_flakiness f JOIN projects p ON p.id = f.project_id \(Visibility.join())
            WHERE f.test_id = $1 AND \(Visibility.condition(viewer: "$2"))
            ORDER BY f.runs DESC, f.branch
            """, [testID.text, viewer.parameter]
        ).rows
        return try rows.map { row in
            var evidence = FlakinessEvidence()
            evidence.runs = try row.decode("runs")
            evidence.failures = try row.decode("failures")
            evidence.flips = try row.decode("flips")
            evidence.sameCommitContradictions = try row.decode("same_commit_contradictions")
            evidence.retryPasses = try row.decode("retry_passes")
            evidence.excludedBurstRuns = try row.decode("excluded_burst_runs")
            evidence.trailingCleanRuns = try row.decode("trailing_clean_runs")
            evidence.lastSeen = try row.decodeIfPresent("last_seen_ms")
            let verdict = FlakinessVerdict(
                classification: FlakinessClassification(rawValue: try row.decode("classification")) ?? .insufficient,
                score: try row.decode("score"), failureRate: try row.decode("failure_rate"),
                failureRateInterval: CredibleInterval(
                    lower: try row.decode("rate_lower"), upper: try row.decode("rate_upper"),
                    level: classifier.parameters.intervalLevel),
                evidence: evidence)
            return (
                try row.decode("branch"),
                FlakyTest(
                    testID: testID, fullTitle: try row.decode("full_title"), file: try row.decodeIfPresent("file"), verdict: verdict,
                    lastSeen: try row.decodeIfPresent("last_seen"))
            )
        }
    }

    static func ranked(_ a: FlakyTest, _ b: FlakyTest) -> Bool {
        if a.verdict.score != b.verdict.score { return a.verdict.score > b.verdict.score }
        let (x, y) = (a.verdict.evidence.lastSeen ?? 0, b.verdict.evidence.lastSeen ?? 0)
        if x != y { return x > y }
        return a.testID.text < b.testID.text
    }

    /// True when `test` ranks after the cursor's position.
    static func after(_ test: FlakyTest, score: Double, seen: Int64, id: String) -> Bool {
        if test.verdict.score != score { return test.verdict.score < score }
        let lastSeen = test.verdict.evidence.lastSeen ?? 0
        if lastSeen != seen { return lastSeen < seen }
        return test.testID.text > id
    }

    static func cursor(_ test: FlakyTest) -> PageCursor {
        PageCursor(sortKey: "\(test.verdict.score):\(test.verdict.evidence.lastSeen ?? 0)", id: test.testID.text)
    }
}

/// The branch a project's lists show when none is named: the project's `default_branch` when
/// set, else `main` when it has runs there, else `master`, else the branch with the most runs.
public struct DefaultBranch {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func of(_ projectID: ProjectID) throws -> String {
        // The project's own setting (`default_branch`, which compare also follows) first.
        if let set: String = try db.query(prepared: "SELECT default_branch FROM projects WHERE id = $1", [projectID.text]).first?
            .decodeIfPresent("default_branch")
        {
            return set
        }
        return try db.query(
            prepared: """
                SELECT branch FROM runs WHERE project_id = $1 GROUP BY branch
                ORDER BY (branch = 'main') DESC, (branch = 'master') DESC, count(*) DESC, branch LIMIT 1
                """, [projectID.text]
        ).first?.decode("branch") ?? "main"
    }
}
