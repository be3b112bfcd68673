import VerdictDB
import VerdictInsights

/// Keeps a branch's watch list as its runs complete: the tests that failed, errored or passed
/// on a retry enter it with their earlier history in the retention window, every watched test
/// in the run gets the run's result appended and is reclassified (its stored classification as
/// `previous`, for the hysteresis), tests whose kept history no longer holds a non-pass leave
/// it. Then automatic quarantine and release, when the project asks for them.
///
/// Idempotent: a row remembers the run it appended last, and a result already in a history
/// (same run time and commit) is not appended again, so a retried completion changes nothing.
/// One writer per project and branch at a time (a transaction-scoped advisory lock).
public struct FlakinessWatch {
    let db: PostgresConnection
    public var classifier = FlakinessClassifier()

    public init(db: PostgresConnection) { self.db = db }

    public struct Update: Sendable, Equatable {
        /// Watched tests that got this run's result.
        public var appended = 0
        /// Tests that entered the watch list with this run.
        public var entered = 0
        /// Tests that left it (nothing but passes in their kept history).
        public var dropped = 0
        public var quarantined: [TestID] = []
        public var released: [TestID] = []

        public init() {}
    }

    /// Brings the run's branch up to date; a run that is not completed changes nothing.
    public func runCompleted(_ runID: RunID) throws -> Update {
        try db.transaction { try update(runID) }
    }

    private struct RunFacts {
        var projectID: String
        var branch: String
        var commit: Int64
        var at: Int64
        var now: Int64
        var failurePermille: Int
        var testCount: Int
        var burst: Bool
        var autoQuarantine: Bool
        var releaseAfter: Int
    }

    private struct Judged {
        var test: Watched
        var verdict: FlakinessVerdict
    }

    private struct Watched {
        var testID: String
        var fullTitle: String
        var file: String?
        var records: [FlakinessRecord]
        var previous: FlakinessClassification?
    }

    private func update(_ runID: RunID) throws -> Update {
        var result = Update()
        guard
            let row = try db.query(
                prepared: """
                    SELECT r.project_id, r.branch, r.commit_sha, r.status, r.tests, r.failed, r.errors, r.skipped,
                        (extract(epoch FROM r.created_at) * 1000)::bigint AS at, (extract(epoch FROM now()) * 1000)::bigint AS now,
                        p.auto_quarantine, p.quarantine_release_after
                    FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = $1
                    """, [runID.text]
            ).first,
            try row.decode("status", as: String.self) == "completed"
        else { return result }
        let tests: Int = try row.decode("tests")
        let skipped: Int = try row.decode("skipped")
        let failing: Int = try row.decode("failed") + (try row.decode("errors", as: Int.self))
        let counted = max(tests - skipped, 0)
        let permille = counted > 0 ? failing * 1000 / counted : 0
        let parameters = classifier.parameters
        let run = RunFacts(
            projectID: try row.decode("project_id"), branch: try row.decode("branch"),
            commit: FlakinessHistory.commitKey(try row.decode("commit_sha")), at: try row.decode("at"), now: try row.decode("now"),
            failurePermille: permille, testCount: counted,
            burst: Double(permille) / 1000 > parameters.burstFailureFraction && counted >= Int(parameters.burstMinimumRunTests),
            autoQuarantine: try row.decode("auto_quarantine"), releaseAfter: try row.decode("quarantine_release_after"))
        try db.query(
            prepared: "SELECT pg_advisory_xact_lock(hashtextextended($1 || '|' || $2, 17)) IS NULL AS locked",
            [run.projectID, run.branch])

        // This run's results for the tests already watched and for those that did not pass.
        let cases = try db.query(
            prepared: """
                SELECT c.test_id, c.status, c.attempt_count, case_full_title(c.full_title, c.classname, c.title) AS full_title, c.file
                FROM cases c
                WHERE c.run_id = $1 AND c.status <> 'skipped'
                  AND (c.status IN ('failed', 'errored', 'flaky')
                       OR c.test_id IN (SELECT test_id FROM test_flakiness WHERE project_id = $2 AND branch = $3))
                """, [runID.text, run.projectID, run.branch]
        ).rows
        guard !cases.isEmpty else { return result }
        var present: [String: [FlakinessRecord]] = [:]
        var described: [String: (String, String?)] = [:]
        var order: [String] = []
        for row in cases {
            let testID: String = try row.decode("test_id")
            let outcome = TestOutcome(rawValue: try row.decode("status")) ?? .failed
            let record = FlakinessRecord(
                at: run.at, commit: run.commit, outcome: outcome, attempts: try row.decode("attempt_count"),
                runFailurePermille: run.failurePermille, runTestCount: run.testCount)
            if present[testID] == nil { order.append(testID) }
            present[testID, default: []].append(record)
            described[testID] = (try row.decode("full_title"), try row.decodeIfPresent("file"))
        }

        var watched: [String: Watched] = [:]
        let stored = try db.query(
            prepared: """
                SELECT test_id, full_title, file, history, last_run_id, classification FROM test_flakiness
                WHERE project_id = $1 AND branch = $2 AND test_id = ANY ($3::uuid[])
                """, [run.projectID, run.branch, postgresTextArray(order)]
        ).rows
        var alreadyAppended: Set<String> = []
        for row in stored {
            let testID: String = try row.decode("test_id")
            let records = FlakinessHistory.decode(try row.decode("history"))
            if try row.decode("last_run_id", as: String.self) == runID.text
                || records.contains(where: { $0.at == run.at && $0.commit == run.commit })
            {
                alreadyAppended.insert(testID)
            }
            watched[testID] = Watched(
                testID: testID, fullTitle: try row.decode("full_title"), file: try row.decodeIfPresent("file"), records: records,
                previous: FlakinessClassification(rawValue: try row.decode("classification")))
        }

        // Tests entering the list bring their earlier results in the window (not in a burst run:
        // its failures are no evidence, so they do not make a test worth watching).
        let entering = run.burst ? [] : order.filter { watched[$0] == nil && present[$0]!.contains { !$0.outcome.isPassFirstTime } }
        if !entering.isEmpty {
            var earlier: [String: [FlakinessRecord]] = [:]
            for row in try history(of: entering, run: run, excluding: runID) {
                let counted = max((try row.decode("tests", as: Int.self)) - (try row.decode("skipped", as: Int.self)), 0)
                let failing = (try row.decode("failed", as: Int.self)) + (try row.decode("errors", as: Int.self))
                earlier[try row.decode("test_id"), default: []].append(
                    FlakinessRecord(
                        at: try row.decode("at"), commit: FlakinessHistory.commitKey(try row.decode("commit_sha")),
                        outcome: TestOutcome(rawValue: try row.decode("status")) ?? .failed, attempts: try row.decode("attempt_count"),
                        runFailurePermille: counted > 0 ? failing * 1000 / counted : 0, runTestCount: counted))
            }
            for testID in entering {
                let (title, file) = described[testID]!
                var records = earlier[testID] ?? []
                records.sort { $0.at < $1.at }
                watched[testID] = Watched(testID: testID, fullTitle: title, file: file, records: records, previous: nil)
                result.entered += 1
            }
        }

        // Append, reclassify, store or drop.
        var keep: [Judged] = []
        var drop: [String] = []
        var verdicts: [String: FlakinessVerdict] = [:]
        for testID in order {
            guard var test = watched[testID], !alreadyAppended.contains(testID) else { continue }
            for record in present[testID]! { FlakinessHistory.insert(record, into: &test.records) }
            FlakinessHistory.trim(&test.records, now: run.now)
            if let (title, file) = described[testID] {
                test.fullTitle = title
                test.file = file
            }
            let verdict = classifier.classify(
                FlakinessHistory.observations(test.records, since: run.now - FlakinessHistory.retentionMilliseconds),
                previous: test.previous)
            verdicts[testID] = verdict
            result.appended += 1
            if test.records.contains(where: { !$0.outcome.isPassFirstTime }) {
                keep.append(Judged(test: test, verdict: verdict))
            } else {
                drop.append(testID)
            }
        }
        try store(keep, run: run, runID: runID)
        if !drop.isEmpty {
            try db.query(
                "DELETE FROM test_flakiness WHERE project_id = $1 AND branch = $2 AND test_id = ANY ($3::uuid[])",
                [run.projectID, run.branch, postgresTextArray(drop)])
            result.dropped = drop.count
        }
        try automaticQuarantine(verdicts, run: run, into: &result)
        return result
    }

    /// Earlier results of `tests` on the run's branch within the retention window, through their
    /// scopes' spans (as a test's history is read), oldest first.
    private func history(of tests: [String], run: RunFacts, excluding runID: RunID) throws -> [Row] {
        try db.query(
            """
            WITH window_runs AS (
                SELECT id, commit_sha, created_at, tests, failed, errors, skipped FROM runs
                WHERE project_id = $1 AND branch = $2 AND status = 'completed' AND id <> $3
                  AND created_at >= now() - make_interval(days => $5::integer)
                ORDER BY created_at DESC LIMIT $6::integer
            )
            SELECT c.test_id, c.status, c.attempt_count, w.commit_sha, (extract(epoch FROM w.created_at) * 1000)::bigint AS at,
                w.tests, w.failed, w.errors, w.skipped
            FROM test_scope_spans s
            JOIN window_runs w ON w.id = s.run_id
            JOIN cases c ON c.run_id = s.run_id AND c.report_id = s.report_id AND c.ordinal BETWEEN s.first_ordinal AND s.last_ordinal
            WHERE s.scope IN (SELECT DISTINCT test_scope(t) FROM unnest($4::uuid[]) AS t)
              AND c.test_id = ANY ($4::uuid[]) AND c.status <> 'skipped'
            ORDER BY at
            """,
            [
                run.projectID, run.branch, runID.text, postgresTextArray(tests), String(FlakinessHistory.retentionDays),
                String(FlakinessHistory.maximumResults),
            ]
        ).rows
    }

    private func store(_ tests: [Judged], run: RunFacts, runID: RunID) throws {
        guard !tests.isEmpty else { return }
        func column(_ value: (Judged) -> String) -> String { postgresTextArray(tests.map(value)) }
        try db.query(
            """
            INSERT INTO test_flakiness (project_id, branch, test_id, full_title, file, history, last_run_id, classification, score,
                failure_rate, rate_lower, rate_upper, runs, failures, flips, same_commit_contradictions, retry_passes,
                excluded_burst_runs, trailing_clean_runs, last_seen_at, updated_at)
            SELECT $1, $2, u.test_id, u.full_title, nullif(u.file, ''), decode(u.history, 'hex'), $3, u.classification, u.score,
                u.failure_rate, u.rate_lower, u.rate_upper, u.runs, u.failures, u.flips, u.contradictions, u.retry_passes,
                u.bursts, u.clean, CASE WHEN u.last_seen < 0 THEN NULL ELSE to_timestamp(u.last_seen / 1000.0) END, now()
            FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[], $11::float8[],
                $12::float8[], $13::integer[], $14::integer[], $15::integer[], $16::integer[], $17::integer[], $18::integer[],
                $19::integer[], $20::bigint[])
                AS u(test_id, full_title, file, history, classification, score, failure_rate, rate_lower, rate_upper, runs, failures,
                     flips, contradictions, retry_passes, bursts, clean, last_seen)
            ON CONFLICT (project_id, branch, test_id) DO UPDATE SET
                full_title = excluded.full_title, file = excluded.file, history = excluded.history,
                last_run_id = excluded.last_run_id, classification = excluded.classification, score = excluded.score,
                failure_rate = excluded.failure_rate, rate_lower = excluded.rate_lower, rate_upper = excluded.rate_upper,
                runs = excluded.runs, failures = excluded.failures, flips = excluded.flips,
                same_commit_contradictions = excluded.same_commit_contradictions, retry_passes = excluded.retry_passes,
                excluded_burst_runs = excluded.excluded_burst_runs, trailing_clean_runs = excluded.trailing_clean_runs,
                last_seen_at = excluded.last_seen_at, updated_at = now()
            """,
            [
                run.projectID, run.branch, runID.text, column { $0.test.testID }, column { $0.test.fullTitle },
                column { $0.test.file ?? "" },
                FlakinessHistory.hexArray(tests.map(\.test.records)), column { $0.verdict.classification.rawValue },
                column { "\($0.verdict.score)" }, column { "\($0.verdict.failureRate)" },
                column { "\($0.verdict.failureRateInterval.lower)" },
                column { "\($0.verdict.failureRateInterval.upper)" }, column { String($0.verdict.evidence.runs) },
                column { String($0.verdict.evidence.failures) }, column { String($0.verdict.evidence.flips) },
                column { String($0.verdict.evidence.sameCommitContradictions) }, column { String($0.verdict.evidence.retryPasses) },
                column { String($0.verdict.evidence.excludedBurstRuns) }, column { String($0.verdict.evidence.trailingCleanRuns) },
                column { String($0.verdict.evidence.lastSeen ?? -1) },
            ])
    }

    /// Quarantines newly flaky tests (never broken ones) when the project asks for it, and lifts
    /// automatic quarantines once the test has passed the project's number of runs in a row.
    private func automaticQuarantine(_ verdicts: [String: FlakinessVerdict], run: RunFacts, into result: inout Update) throws {
        guard !verdicts.isEmpty else { return }
        let quarantines = QuarantineService(db: db)
        let active = try quarantines.active(projectID: run.projectID, tests: Array(verdicts.keys))
        for testID in verdicts.keys.sorted() {
            let verdict = verdicts[testID]!
            if let current = active[testID] {
                if current.automatic, verdict.evidence.trailingCleanRuns >= run.releaseAfter {
                    try quarantines.lift(
                        current.id, reason: "released automatically after \(verdict.evidence.trailingCleanRuns) clean runs in a row")
                    result.released.append(try TestID(parsing: testID, field: "test_id"))
                }
            } else if run.autoQuarantine, verdict.classification == .flaky {
                try quarantines.quarantineAutomatically(
                    projectID: run.projectID, testID: testID,
                    reason: "quarantined automatically: flaky, score \(Self.formatted(verdict.score))")
                result.quarantined.append(try TestID(parsing: testID, field: "test_id"))
            }
        }
    }

    static func formatted(_ score: Double) -> String {
        let hundredths = Int((score * 100).rounded(.down))
        return "0.\(hundredths < 10 ? "0" : "")\(min(hundredths, 99))"
    }
}

extension TestOutcome {
    /// Passed at the first attempt: what leaves nothing to watch.
    var isPassFirstTime: Bool { self == .passed || self == .skipped }
}
