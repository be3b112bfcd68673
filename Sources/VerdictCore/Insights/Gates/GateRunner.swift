import VerdictDB
import VerdictInsights
import VerdictJSON

/// One rule's verdict as stored and shown: the rule's type and threshold, the run's value.
public struct RuleVerdict: Sendable, Equatable {
    public var type: String
    public var threshold: Double?
    public var actual: Double?
    public var passed: Bool
    public var message: String

    init(_ result: GateRuleResult) {
        self.init(
            type: result.rule.type, threshold: result.rule.threshold, actual: result.actual, passed: result.passed, message: result.message)
    }

    init(type: String, threshold: Double?, actual: Double?, passed: Bool, message: String) {
        self.type = type
        self.threshold = threshold
        self.actual = actual
        self.passed = passed
        self.message = message
    }

    public var json: JSON {
        [
            "type": .string(type), "threshold": threshold.map { .double($0) } ?? .null, "actual": actual.map { .double($0) } ?? .null,
            "passed": .bool(passed), "message": .string(message),
        ]
    }

    init(json: JSON) {
        self.init(
            type: json["type"]?.stringValue ?? "", threshold: json["threshold"]?.doubleValue, actual: json["actual"]?.doubleValue,
            passed: json["passed"]?.boolValue ?? false, message: json["message"]?.stringValue ?? "")
    }
}

/// One gate's verdict on a run.
public struct GateVerdict: Sendable {
    public var gateID: GateID
    public var name: String
    public var passed: Bool
    public var rules: [RuleVerdict]
    public var evaluatedAt: String?
}

/// A run's verdicts: it passes when every enabled gate of its project passes (no gates: it
/// passes).
public struct RunGates: Sendable {
    public var runID: RunID
    public var passed: Bool
    public var gates: [GateVerdict]
}

/// Evaluates a run against its project's enabled gates and stores the verdicts.
public struct GateRunner {
    let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    /// On demand (`POST /runs/{id}/gates/evaluate`): the caller's team's run.
    public func evaluate(_ runID: RunID, for access: TeamAccess) throws -> RunGates {
        guard
            let row = try db.query(
                "SELECT r.project_id FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = $1 AND p.team_id = $2",
                [runID.text, access.teamID.text]
            ).first
        else { throw ServiceError.notFound(runID.named) }
        return try evaluate(runID, projectID: try row.decode("project_id"))
    }

    /// When a run completes (the caller has just completed it).
    @discardableResult
    public func evaluateCompleted(_ runID: RunID) throws -> RunGates {
        guard let row = try db.query("SELECT project_id FROM runs WHERE id = $1", [runID.text]).first else {
            throw ServiceError.notFound(runID.named)
        }
        return try evaluate(runID, projectID: try row.decode("project_id"))
    }

    /// Nothing to do for a project without gates.
    public func evaluate(_ runID: RunID, projectID: ProjectID) throws -> RunGates {
        let gates = try db.query(
            "SELECT \(QualityGates.columns) FROM quality_gates g WHERE g.project_id = $1 AND g.enabled ORDER BY g.created_at, g.id",
            [projectID.text]
        ).rows.map(QualityGates.gate)
        guard !gates.isEmpty else { return RunGates(runID: runID, passed: true, gates: []) }
        let rules = gates.flatMap(\.rules)
        var facts = try self.facts(
            runID,
            required: Set(
                rules.flatMap { rule -> [String] in
                    if case .requiredTests(let tests) = rule { return tests }
                    return []
                }))
        try addComparison(to: &facts, of: runID, rules: rules)
        var verdicts = gates.map { gate in
            let results = GateEvaluation.evaluate(gate.rules, facts: facts).map(RuleVerdict.init)
            return GateVerdict(gateID: gate.id, name: gate.name, passed: results.allSatisfy(\.passed), rules: results, evaluatedAt: nil)
        }
        let stamps = try db.query(
            """
            INSERT INTO gate_results (run_id, gate_id, passed, rules)
            SELECT $1, v.gate_id, v.passed, v.rules::jsonb FROM unnest($2::uuid[], $3::boolean[], $4::text[]) AS v (gate_id, passed, rules)
            ON CONFLICT (run_id, gate_id) DO UPDATE SET passed = EXCLUDED.passed, rules = EXCLUDED.rules, evaluated_at = now()
            RETURNING gate_id, rfc3339(evaluated_at) AS evaluated
            """,
            [
                runID.text, postgresTextArray(verdicts.map(\.gateID.text)),
                postgresTextArray(verdicts.map { $0.passed ? "true" : "false" }),
                postgresTextArray(verdicts.map { String(decoding: JSON.array($0.rules.map(\.json)).serialized(), as: UTF8.self) }),
            ]
        ).rows
        var evaluated: [GateID: String] = [:]
        for row in stamps { evaluated[try row.decode("gate_id")] = try row.decode("evaluated") }
        for index in verdicts.indices { verdicts[index].evaluatedAt = evaluated[verdicts[index].gateID] }
        return RunGates(runID: runID, passed: verdicts.allSatisfy(\.passed), gates: verdicts)
    }

    /// The verdicts stored for a run (its latest evaluation of each gate still defined).
    public func stored(_ runID: RunID, as viewer: Viewer) throws -> RunGates {
        try RunQueries(db: db).requireVisible(runID, as: viewer)
        return try stored(runID)
    }

    /// The verdicts stored for a run the caller has already found visible (a run page, say).
    public func stored(_ runID: RunID) throws -> RunGates {
        let gates = try db.query(
            prepared: """
                SELECT r.gate_id, g.name, r.passed, r.rules::text AS rules, rfc3339(r.evaluated_at) AS evaluated
                FROM gate_results r JOIN quality_gates g ON g.id = r.gate_id WHERE r.run_id = $1 ORDER BY g.created_at, g.id
                """, [runID.text]
        ).rows.map { row in
            GateVerdict(
                gateID: try row.decode("gate_id"), name: try row.decode("name"), passed: try row.decode("passed"),
                rules: (try row.json("rules").arrayValue ?? []).map(RuleVerdict.init(json:)), evaluatedAt: try row.decode("evaluated"))
        }
        return RunGates(runID: runID, passed: gates.allSatisfy(\.passed), gates: gates)
    }

    /// New failures and duration regressions, from the comparison with the run's default base
    /// (as the run page's "what changed" link has it), read only when a rule asks for them: on a
    /// run of 100,000 tests it costs a good part of a second.
    func addComparison(to facts: inout GateFacts, of runID: RunID, rules: [GateRule]) throws {
        var regressionThresholds: [Double] = []
        var wantsNewFailures = false
        for rule in rules {
            if case .noNewFailures = rule { wantsNewFailures = true }
            if case .durationRegressionPct(let threshold) = rule { regressionThresholds.append(threshold) }
        }
        guard wantsNewFailures || !regressionThresholds.isEmpty else { return }
        // Tests slower by at least the smallest threshold (and 100 ms, below which timings are
        // noise) are all the duration rules need to see.
        let options = CompareOptions(
            minIncreasePercent: regressionThresholds.min() ?? 1_000_000, minIncreaseMilliseconds: 100, limit: CompareOptions.maxLimit)
        guard let comparison = try RunCompare(db: db).compareWithDefaultBase(runID, options: options) else { return }
        facts.newFailures = comparison[.newFailures].total
        if !regressionThresholds.isEmpty {
            facts.worstDurationRegressionPct = comparison[.durationRegressions].tests.compactMap(\.reference?.increasePercent).max() ?? 0
        }
    }

    /// What the rules judge, read from the run, its cases and its clusters.
    func facts(_ runID: RunID, required: Set<String>) throws -> GateFacts {
        let run = try db.query(
            """
            SELECT r.tests, r.passed, r.failed, r.skipped, r.errors, r.flaky,
                (extract(epoch FROM r.ended_at - r.started_at) * 1000)::double precision AS duration,
                (SELECT count(*) FROM run_clusters k JOIN failure_clusters f ON f.project_id = r.project_id AND f.id = k.cluster_id
                 WHERE k.run_id = r.id AND f.first_run_id = r.id) AS new_clusters,
                (SELECT count(*) FROM cases c JOIN quarantines q ON q.project_id = r.project_id AND q.test_id = c.test_id
                 WHERE c.run_id = r.id AND c.status IN ('failed', 'errored') AND q.lifted_at IS NULL AND q.expires_at > now())
                    AS quarantined_failures
            FROM runs r WHERE r.id = $1
            """, [runID.text]
        ).first!
        let tests: Int = try run.decode("tests")
        let skipped: Int = try run.decode("skipped")
        let flaky: Int = try run.decode("flaky")
        var requiredStatuses: [String: TestOutcome?] = [:]
        if !required.isEmpty {
            for name in required { requiredStatuses[name] = .some(nil) }
            let ids = required.compactMap { TestID($0)?.text }
            for row in try db.query(
                """
                SELECT c.test_id::text AS test_id, case_full_title(c.full_title, c.classname, c.title) AS full_title, c.status
                FROM cases c WHERE c.run_id = $1
                  AND (c.test_id = ANY ($2::uuid[]) OR case_full_title(c.full_title, c.classname, c.title) = ANY ($3::text[]))
                """, [runID.text, postgresTextArray(ids), postgresTextArray(Array(required))]
            ).rows {
                let status = TestOutcome(rawValue: try row.decode("status", as: String.self))
                for key in [try row.decode("test_id", as: String.self), try row.decode("full_title", as: String.self)]
                where required.contains(key) {
                    // A test that ran twice in the run counts by its worse result.
                    if let current = requiredStatuses[key], let current, current.isFailure || status == nil { continue }
                    requiredStatuses[key] = .some(status)
                }
            }
        }
        return GateFacts(
            testsRun: tests - skipped, passed: try run.decode("passed", as: Int.self) + flaky,
            failures: try run.decode("failed", as: Int.self) + run.decode("errors", as: Int.self),
            quarantinedFailures: try run.decode("quarantined_failures"), flaky: flaky,
            durationMs: try run.decodeIfPresent("duration"), newFailures: nil, newClusters: try run.decode("new_clusters"),
            worstDurationRegressionPct: nil, requiredStatuses: requiredStatuses)
    }
}
