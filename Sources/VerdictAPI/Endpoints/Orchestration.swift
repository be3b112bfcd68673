import VerdictCore
import VerdictHTTP
import VerdictJSON

// The orchestration API: a pipeline registers its units, workers lease batches until the queue
// is empty, and the status endpoint shows every unit's tries. Write endpoints need `write`.

extension JSONFields {
    /// A whole number within `range`, or nil when absent.
    func int(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = try int(name) else { return nil }
        guard Int64(range.lowerBound) <= value, value <= Int64(range.upperBound) else {
            throw .invalidParameter(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    /// `{"key": "value", …}`: labels, every value a string.
    func labels(_ name: String) throws(APIError) -> [String: String] {
        guard let value = object[name], !value.isNull else { return [:] }
        guard let labels = value.objectValue else { throw .invalidParameter(name, "must be an object of string labels") }
        var result: [String: String] = [:]
        for key in labels.keys {
            guard let text = labels[key]?.stringValue else { throw .invalidParameter("\(name).\(key)", "must be a string") }
            result[key] = text
        }
        return result
    }

    func worker() throws -> String {
        let worker = try requiredString("worker").trimmed()
        guard !worker.isEmpty else { throw APIError.invalidParameter("worker", "is required") }
        return try NameText.validate(worker, field: "worker", maximum: 200)
    }

    func leaseID() throws -> LeaseID { try LeaseID(parsing: try requiredString("lease_id"), field: "lease_id") }
    func runID() throws -> RunID { try RunID(parsing: try requiredString("run_id"), field: "run_id") }
}

extension APIError {
    /// The same error about a field nested in `prefix` (`units[3]` + `labels.os`).
    fileprivate func prefixingField(_ prefix: String) -> APIError {
        guard code == .invalidParameter else { return self }
        return APIError(.invalidParameter, "\(prefix).\(message)")
    }
}

extension OrchestrationSummary {
    var json: JSON {
        var counts = JSONObject()
        for state in UnitState.allCases { counts[state.rawValue] = JSON(self.counts[state] ?? 0) }
        return [
            "run_id": .string(runID.text), "status": .string(status.rawValue), "counts": .object(counts), "units_total": JSON(unitsTotal),
        ]
    }
}

/// `POST /api/v1/orchestration/begin`: registers the run's units (or finds the same ones).
public struct BeginOrchestration: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: [
            "project", "commit", "branch", "ci_run_id", "ci_run_attempt", "name", "units", "lease_seconds", "idle_timeout_seconds",
            "retests", "fail_fast", "expected_workers",
        ])
        let identity = try RunIdentity(
            project: try body.string("project"), commit: try body.string("commit"), branch: try body.string("branch"),
            ciRunID: try body.text("ci_run_id"), ciRunAttempt: try body.text("ci_run_attempt"), name: try body.string("name"))
        var options = OrchestrationOptions()
        options.leaseSeconds = try body.int("lease_seconds", in: OrchestrationOptions.leaseRange) ?? options.leaseSeconds
        options.idleTimeoutSeconds =
            try body.int("idle_timeout_seconds", in: OrchestrationOptions.idleTimeoutRange) ?? options.idleTimeoutSeconds
        options.retests = try body.int("retests", in: OrchestrationOptions.retestRange) ?? options.retests
        options.failFast = try failFast(body)
        options.expectedWorkers = try body.int("expected_workers", in: OrchestrationOptions.workerRange)
        let spec = try OrchestrationSpec(identity: identity, units: try units(body), options: options)
        let start = try OrchestrationService(db: try context.database()).begin(spec, for: context.access)
        if start.runCreated { context.publish(.runCreated, run: start.summary.runID) }
        return .json(
            start.summary.json, status: start.created ? 201 : 200,
            headers: [("location", "/api/v1/orchestration/runs/\(start.summary.runID.text)")])
    }

    /// `fail_fast`: a number of failed units, or `false`/absent for off (`true` means 1).
    private func failFast(_ body: JSONFields) throws -> Int? {
        switch body.object["fail_fast"] {
        case nil, .null?, .bool(false)?: return nil
        case .bool(true)?: return 1
        default: return try body.int("fail_fast", in: OrchestrationOptions.failFastRange)
        }
    }

    private func units(_ body: JSONFields) throws -> [UnitSpec] {
        guard let list = body.object["units"]?.arrayValue else {
            throw APIError.invalidParameter("units", "must be an array of units ({\"id\": …})")
        }
        guard list.count <= OrchestrationSpec.maximumUnits else {
            throw APIError.invalidParameter("units", "must list at most \(OrchestrationSpec.maximumUnits) units (group tests into files)")
        }
        var units: [UnitSpec] = []
        units.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            let field = "units[\(index)]"
            // A bare string is a unit with no labels and no hint.
            if let id = item.stringValue {
                units.append(UnitSpec(id: id))
                continue
            }
            guard let object = item.objectValue else { throw APIError.invalidParameter(field, "must be an object with an id") }
            let unit = JSONFields(object)
            do {
                try unit.rejectUnknown(allowed: ["id", "labels", "weight_ms"])
                var weight: Double?
                if let value = object["weight_ms"], !value.isNull {
                    guard let number = value.doubleValue else { throw APIError.invalidParameter("weight_ms", "must be a number") }
                    weight = number
                }
                units.append(UnitSpec(id: try unit.requiredString("id"), labels: try unit.labels("labels"), weightMs: weight))
            } catch let error as APIError {
                throw error.prefixingField(field)
            }
        }
        return units
    }
}

/// `POST /api/v1/orchestration/checkout`: the worker's next batch, or when to ask again, or done.
public struct CheckoutUnits: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["run_id", "worker", "labels"])
        let runID = try body.runID()
        let worker = try body.worker()
        let labels = try WorkerLabels.validate(try body.labels("labels"))
        let service = OrchestrationService(db: try context.database())
        let (result, expired, finished) = try service.checkout(runID, worker: worker, labels: labels, for: context.access)
        var events = expired.map { lease in (type: LiveEventType.leaseExpired, details: lease.details) }
        let answer: JSON
        switch result {
        case .lease(let grant):
            answer = [
                "lease_id": .string(grant.id.text), "deadline": .string(grant.deadline),
                "units": .array(
                    grant.units.map { ["id": .string($0.id), "attempt": JSON($0.attempt), "retest": .bool($0.retest)] }),
                "done": false,
            ]
            if !grant.existing {
                events.append(
                    (
                        .unitLeased,
                        JSONObject([
                            ("lease_id", .string(grant.id.text)), ("worker", .string(grant.worker)),
                            ("units", .array(grant.units.map { .string($0.id) })),
                        ])
                    ))
            }
        case .wait(let milliseconds):
            answer = ["units": [], "done": false, "retry_after_ms": JSON(milliseconds)]
        case .done:
            answer = ["units": [], "done": true]
        }
        context.publish(events, run: runID)
        if finished {
            context.runCompleted(
                runID,
                announcing: [
                    (.orchestrationCompleted, JSONObject([("orchestration", try service.summary(runID).json)])),
                    (.runCompleted, JSONObject()),
                ])
        }
        return .json(answer)
    }
}

extension ExpiredLease {
    var details: JSONObject {
        JSONObject([("lease_id", .string(id.text)), ("worker", .string(worker)), ("units", .array(units.map { .string($0) }))])
    }
}

/// `POST /api/v1/orchestration/heartbeat`: keeps a running lease alive.
public struct HeartbeatLease: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["run_id", "worker", "lease_id"])
        let deadline = try OrchestrationService(db: try context.database()).heartbeat(
            try body.runID(), worker: try body.worker(), lease: try body.leaseID(), for: context.access)
        return .json(["deadline": .string(deadline)])
    }
}

/// `POST /api/v1/orchestration/complete`: a lease's results, one per unit.
public struct CompleteLease: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["run_id", "worker", "lease_id", "results"])
        let runID = try body.runID()
        let worker = try body.worker()
        let leaseID = try body.leaseID()
        guard let list = body.object["results"]?.arrayValue else {
            throw APIError.invalidParameter("results", "must be an array of results ({\"unit\", \"status\", \"duration_ms\"})")
        }
        var results: [UnitResult] = []
        for (index, item) in list.enumerated() {
            guard let object = item.objectValue else { throw APIError.invalidParameter("results[\(index)]", "must be an object") }
            let fields = JSONFields(object)
            do {
                try fields.rejectUnknown(allowed: ["unit", "status", "duration_ms", "error"])
                let status = try fields.requiredString("status")
                guard let outcome = UnitOutcome(rawValue: status) else {
                    throw APIError.invalidParameter("status", "must be one of passed, failed, skipped, errored (not \"\(status)\")")
                }
                var duration: Double?
                if let value = object["duration_ms"], !value.isNull {
                    guard let number = value.doubleValue, number.isFinite, number >= 0 else {
                        throw APIError.invalidParameter("duration_ms", "must be a number of milliseconds, 0 or more")
                    }
                    duration = number
                }
                results.append(
                    UnitResult(
                        unit: try fields.requiredString("unit"), outcome: outcome, durationMs: duration, error: try fields.string("error")))
            } catch let error as APIError {
                throw error.prefixingField("results[\(index)]")
            }
        }
        let service = OrchestrationService(db: try context.database())
        let outcome = try service.complete(runID, worker: worker, lease: leaseID, results: results, for: context.access)
        if !outcome.repeated {
            var events: [(type: LiveEventType, details: JSONObject)] = []
            if !outcome.units.isEmpty || outcome.late > 0 {
                events.append(
                    (
                        .unitCompleted,
                        JSONObject([
                            ("lease_id", .string(leaseID.text)), ("worker", .string(worker)),
                            ("units", .array(outcome.units.map { ["id": .string($0.unit), "state": .string($0.state.rawValue)] })),
                            ("late", JSON(outcome.late)),
                        ])
                    ))
            }
            context.publish(events, run: runID)
            if outcome.finished != nil {
                let summary = try service.summary(runID)
                context.runCompleted(
                    runID,
                    announcing: [(.orchestrationCompleted, JSONObject([("orchestration", summary.json)])), (.runCompleted, JSONObject())])
            }
        }
        return .json(["accepted": JSON(outcome.accepted), "late": JSON(outcome.late)])
    }
}

/// `POST /api/v1/orchestration/release`: gives a lease back untried (a worker stopping).
public struct ReleaseLease: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try body.rejectUnknown(allowed: ["run_id", "worker", "lease_id"])
        let units = try OrchestrationService(db: try context.database()).release(
            try body.runID(), worker: try body.worker(), lease: try body.leaseID(), for: context.access)
        return .json(["released": .array(units.map { .string($0) })])
    }
}

/// `POST /api/v1/orchestration/runs/{run_id}/cancel`: stops handing out units.
public struct CancelOrchestration: Endpoint {
    public typealias Access = WritesTeam

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<TeamAccess>) async throws -> HTTPResponse {
        let runID: RunID = try request.pathID("run_id")
        let (summary, stopped) = try OrchestrationService(db: try context.database()).cancel(runID, for: context.access)
        if stopped {
            context.publish(
                [(.orchestrationCancelled, JSONObject([("orchestration", summary.json)])), (.runIncomplete, JSONObject())], run: runID)
        }
        return .json(summary.json)
    }
}

/// `GET /api/v1/orchestration/runs/{run_id}`: status, counts, workers, and the units (a page
/// of them, with every try).
public struct GetOrchestration: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let db = try context.database()
        let run = try RunQueries(db: db).get(try request.pathID("run_id"), as: context.access).run
        let read = OrchestrationRead(db: db)
        let view = try read.view(of: run)
        let states = try request.nonEmptyQuery("state").map { value throws(ServiceError) in try ReadParameter.unitStates(value) }
        let units = try read.units(
            of: run, states: states, limit: try request.limit(default: PageLimit.maximum), after: try request.cursor())
        var object = view.json.objectValue!
        object["units"] = .array(units.items.map(\.json))
        object["next_cursor"] = JSON(units.nextCursor?.token)
        return .json(.object(object))
    }
}

extension ReadParameter {
    /// `state=failed,flaky`.
    static func unitStates(_ value: String) throws(ServiceError) -> [UnitState] {
        var states: [UnitState] = []
        for part in value.split(separator: ",") {
            guard let state = UnitState(rawValue: String(part)) else {
                throw .invalid(
                    field: "state",
                    reason: "must be a comma-separated list of \(UnitState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            states.append(state)
        }
        return states
    }
}

extension OrchestrationView {
    var json: JSON {
        var counts = JSONObject()
        for state in UnitState.allCases { counts[state.rawValue] = JSON(self.counts[state] ?? 0) }
        return [
            "run_id": .string(runID.text), "status": .string(status.rawValue), "stop_reason": JSON(stopReason),
            "units_total": JSON(unitsTotal), "counts": .object(counts),
            "options": [
                "lease_seconds": JSON(options.leaseSeconds), "idle_timeout_seconds": JSON(options.idleTimeoutSeconds),
                "retests": JSON(options.retests), "fail_fast": JSON(options.failFast), "expected_workers": JSON(options.expectedWorkers),
            ],
            "created_at": .string(createdAt), "completed_at": JSON(completedAt),
            "workers": .array(workers.map(\.json)),
            "unplaceable_units": .array(unplaceable.map { .string($0) }),
        ]
    }
}

extension WorkerView {
    var json: JSON {
        [
            "worker": .string(name), "labels": Labels.json(labels), "first_seen": .string(firstSeen), "last_seen": .string(lastSeen),
            "tries": JSON(tries), "passed": JSON(passed), "failed": JSON(failed), "busy_ms": .double(busyMs),
            "lease": lease.map { ["lease_id": .string($0.id.text), "deadline": .string($0.deadline), "units": JSON($0.units)] } ?? .null,
        ]
    }
}

extension UnitView {
    var json: JSON {
        [
            "id": .string(id), "state": .string(state.rawValue), "labels": Labels.json(labels), "expected_ms": .double(expectedMs),
            "attempts": .array(
                attempts.map { attempt in
                    [
                        "attempt": JSON(attempt.attempt), "worker": .string(attempt.worker), "lease_id": .string(attempt.leaseID.text),
                        "retest": .bool(attempt.retest), "started_at": .string(attempt.startedAt), "ended_at": JSON(attempt.endedAt),
                        "status": JSON(attempt.outcome), "duration_ms": attempt.durationMs.map { .double($0) } ?? .null,
                        "error": JSON(attempt.error), "late": .bool(attempt.late),
                    ]
                }),
        ]
    }
}

enum Labels {
    static func json(_ labels: [String: String]) -> JSON {
        var object = JSONObject()
        for key in labels.keys.sorted() { object[key] = .string(labels[key]!) }
        return .object(object)
    }
}

/// The scheduled orchestration reaper: expired leases give their units back; idle runs time out.
public struct ReapOrchestrations: Job {
    public init() {}

    public func run(_ event: JSON, context: InvocationContext<Platform>) async throws -> JSON {
        let sweep = try OrchestrationReaper(db: try context.database()).sweep()
        for lease in sweep.expired { context.publish(.leaseExpired, run: lease.runID, details: lease.details) }
        let service = OrchestrationService(db: try context.database())
        for runID in sweep.completed {
            let summary = try service.summary(runID)
            context.runCompleted(
                runID,
                announcing: [(.orchestrationCompleted, JSONObject([("orchestration", summary.json)])), (.runCompleted, JSONObject())])
        }
        for runID in sweep.timedOut {
            context.publish([(.orchestrationTimedOut, JSONObject()), (.runIncomplete, JSONObject())], run: runID)
        }
        if !sweep.expired.isEmpty || !sweep.completed.isEmpty || !sweep.timedOut.isEmpty {
            context.logger.info(
                "orchestrations swept",
                metadata: [
                    "expired_leases": "\(sweep.expired.count)", "completed": "\(sweep.completed.count)",
                    "timed_out": "\(sweep.timedOut.count)",
                ])
        }
        return [
            "expired_leases": .array(sweep.expired.map { .string($0.id.text) }),
            "completed": .array(sweep.completed.map { .string($0.text) }),
            "timed_out": .array(sweep.timedOut.map { .string($0.text) }),
        ]
    }
}
