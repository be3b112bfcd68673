import VerdictJSON

/// A unit as `begin` takes it.
public struct UnitSpec: Sendable, Equatable {
    public var id: String
    public var weightMs: Int?
    /// Labels a worker must carry to take the unit (`--unit-label`).
    public var labels: [String: String]

    public init(id: String, weightMs: Int? = nil, labels: [String: String] = [:]) {
        self.id = id
        self.weightMs = weightMs
        self.labels = labels
    }
}

/// `begin`'s options; nil leaves the server's default (lease 300 s, idle timeout 600 s, no
/// retests, no fail-fast).
public struct OrchestrationOptions: Sendable, Equatable {
    public var leaseSeconds: Int?
    public var idleTimeoutSeconds: Int?
    public var retests: Int?
    public var failFast: Bool
    public var expectedWorkers: Int?

    public init(
        leaseSeconds: Int? = nil, idleTimeoutSeconds: Int? = nil, retests: Int? = nil, failFast: Bool = false, expectedWorkers: Int? = nil
    ) {
        self.leaseSeconds = leaseSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.retests = retests
        self.failFast = failFast
        self.expectedWorkers = expectedWorkers
    }
}

public struct LeasedUnit: Sendable, Equatable {
    public var id: String
    public var attempt: Int
    public var retest: Bool
}

public struct Lease: Sendable, Equatable {
    public var id: String
    /// Seconds since the epoch, when the answer carried a readable deadline.
    public var deadline: Double?
    public var units: [LeasedUnit]
}

public enum Checkout: Sendable, Equatable {
    case lease(Lease)
    /// Every unit is finished: the worker is done.
    case done
    /// Nothing to hand out now (other workers hold the rest); ask again after this long.
    case wait(milliseconds: Int)
}

/// The orchestration endpoints, typed.
public struct OrchestrationAPI {
    let client: APIClient

    public init(client: APIClient) {
        self.client = client
    }

    public struct Begun: Sendable, Equatable {
        public var runID: String
        public var unitsTotal: Int?
        /// 201: this worker opened the run; 200: another had.
        public var created: Bool
    }

    public func begin(identity: RunIdentity, units: [UnitSpec], options: OrchestrationOptions) throws(APIError) -> Begun {
        var body = JSONObject(identity.fields)
        body["units"] = .array(
            units.map { unit in
                var object = JSONObject([("id", .string(unit.id))])
                if let weight = unit.weightMs { object["weight_ms"] = .int(Int64(weight)) }
                if !unit.labels.isEmpty {
                    object["labels"] = .object(JSONObject(unit.labels.keys.sorted().map { ($0, JSON.string(unit.labels[$0]!)) }))
                }
                return .object(object)
            })
        if let value = options.leaseSeconds { body["lease_seconds"] = .int(Int64(value)) }
        if let value = options.idleTimeoutSeconds { body["idle_timeout_seconds"] = .int(Int64(value)) }
        if let value = options.retests { body["retests"] = .int(Int64(value)) }
        if options.failFast { body["fail_fast"] = .bool(true) }
        if let value = options.expectedWorkers { body["expected_workers"] = .int(Int64(value)) }
        let (status, json) = try client.call("POST", "/api/v1/orchestration/begin", json: .object(body))
        guard let runID = json["run_id"]?.stringValue else { throw Self.invalid("begin", "no run_id") }
        return Begun(runID: runID, unitsTotal: json["units_total"]?.intValue.map(Int.init), created: status == 201)
    }

    public func checkout(runID: String, worker: String, labels: [String: String] = [:]) throws(APIError) -> Checkout {
        var body = JSONObject([("run_id", .string(runID)), ("worker", .string(worker))])
        if !labels.isEmpty {
            var object = JSONObject()
            for key in labels.keys.sorted() { object[key] = .string(labels[key]!) }
            body["labels"] = .object(object)
        }
        let (_, json) = try client.call("POST", "/api/v1/orchestration/checkout", json: .object(body))
        let units = (json["units"]?.arrayValue ?? []).compactMap { unit -> LeasedUnit? in
            guard let id = unit["id"]?.stringValue else { return nil }
            return LeasedUnit(id: id, attempt: Int(unit["attempt"]?.intValue ?? 1), retest: unit["retest"]?.boolValue ?? false)
        }
        if !units.isEmpty {
            guard let leaseID = json["lease_id"]?.stringValue else { throw Self.invalid("checkout", "units without a lease_id") }
            return .lease(Lease(id: leaseID, deadline: json["deadline"]?.stringValue.flatMap(RFC3339.seconds), units: units))
        }
        if json["done"]?.boolValue == true { return .done }
        // No units and not done: another worker holds the rest. Without a hint, a second.
        return .wait(milliseconds: max(100, Int(json["retry_after_ms"]?.intValue ?? 1_000)))
    }

    /// Extends the lease; answers the new deadline (seconds since the epoch) when readable.
    public func heartbeat(runID: String, worker: String, leaseID: String) throws(APIError) -> Double? {
        let body: JSON = ["run_id": .string(runID), "worker": .string(worker), "lease_id": .string(leaseID)]
        let (_, json) = try client.call("POST", "/api/v1/orchestration/heartbeat", json: body)
        return json["deadline"]?.stringValue.flatMap(RFC3339.seconds)
    }

    public struct Completion: Sendable, Equatable {
        public var accepted: Int
        public var late: Int
    }

    public func complete(runID: String, worker: String, leaseID: String, results: [UnitResult]) throws(APIError) -> Completion {
        let body: JSON = [
            "run_id": .string(runID), "worker": .string(worker), "lease_id": .string(leaseID),
            "results": .array(
                results.map { result in
                    var object = JSONObject([
                        ("unit", .string(result.unit)), ("status", .string(result.status.rawValue)),
                        ("duration_ms", .int(Int64(max(0, result.durationMs)))),
                    ])
                    if let error = result.error { object["error"] = .string(error) }
                    return .object(object)
                }),
        ]
        let (_, json) = try client.call("POST", "/api/v1/orchestration/complete", json: body)
        return Completion(accepted: Self.count(json["accepted"]), late: Self.count(json["late"]))
    }

    /// `accepted`/`late` may come as counts or as lists of unit ids.
    static func count(_ value: JSON?) -> Int {
        if let number = value?.intValue { return Int(number) }
        return value?.arrayValue?.count ?? 0
    }

    /// Gives the lease back so its units go to another worker at once instead of at its deadline.
    public func release(runID: String, worker: String, leaseID: String) throws(APIError) {
        let body: JSON = ["run_id": .string(runID), "worker": .string(worker), "lease_id": .string(leaseID)]
        try client.call("POST", "/api/v1/orchestration/release", json: body)
    }

    /// `GET /api/v1/orchestration/runs/{id}`; nil when the run has no orchestration (404).
    public func run(_ runID: String) throws(APIError) -> JSON? {
        do {
            return try client.call("GET", "/api/v1/orchestration/runs/\(APIClient.segment(runID))").json
        } catch {
            if error.status == 404 { return nil }
            throw error
        }
    }

    static func invalid(_ call: String, _ reason: String) -> APIError {
        APIError(.invalidResponse, "\(call): unexpected answer (\(reason))")
    }
}
