import VerdictDB
import VerdictJSON

public enum LeaseKind: IDKind { public static let noun = "lease" }
public typealias LeaseID = ID<LeaseKind>

/// An orchestration's state: it runs until every unit is decided, a person cancels it, or its
/// workers go quiet past the idle timeout.
public enum OrchestrationStatus: String, Sendable, CaseIterable, PostgresTextDecodable {
    case running, completed, cancelled
    case timedOut = "timed_out"
}

/// Where one unit stands.
public enum UnitState: String, Sendable, CaseIterable, PostgresTextDecodable {
    case pending, leased, passed, failed, flaky, skipped, errored, abandoned

    /// Decided for good: nothing will lease it again.
    public var isFinal: Bool { self != .pending && self != .leased }
}

/// What a worker says one try of a unit came to.
public enum UnitOutcome: String, Sendable, CaseIterable {
    case passed, failed, skipped, errored

    var isFailure: Bool { self == .failed || self == .errored }
}

/// One unit as a pipeline registers it: a spec file, a test id, a package, whatever the
/// command it runs takes as an argument.
public struct UnitSpec: Sendable, Equatable {
    public var id: String
    public var labels: [String: String]
    public var weightMs: Double?

    public init(id: String, labels: [String: String] = [:], weightMs: Double? = nil) {
        self.id = id
        self.labels = labels
        self.weightMs = weightMs
    }
}

/// How an orchestration treats its workers, with the API's defaults.
public struct OrchestrationOptions: Sendable, Equatable {
    public var leaseSeconds = 300
    public var idleTimeoutSeconds = 600
    public var retests = 0
    public var failFast: Int?
    public var expectedWorkers: Int?

    public init() {}

    public static let leaseRange = 5...86_400
    public static let idleTimeoutRange = 10...604_800
    public static let retestRange = 0...10
    public static let failFastRange = 1...1_000_000
    public static let workerRange = 1...10_000
}

/// A validated request to orchestrate: the run's identity, its units (unique ids), options.
public struct OrchestrationSpec: Sendable {
    public static let maximumUnits = 50_000
    public static let maximumUnitIDLength = 1_000
    public static let maximumLabels = 20

    public var identity: RunIdentity
    public var units: [UnitSpec]
    public var options: OrchestrationOptions

    public init(identity: RunIdentity, units: [UnitSpec], options: OrchestrationOptions) throws(ServiceError) {
        guard !units.isEmpty else { throw .invalid(field: "units", reason: "must list at least one unit") }
        guard units.count <= Self.maximumUnits else {
            throw .invalid(field: "units", reason: "must list at most \(Self.maximumUnits) units (group tests into files)")
        }
        var seen = Set<String>()
        seen.reserveCapacity(units.count)
        for (index, unit) in units.enumerated() {
            let field = "units[\(index)]"
            guard !unit.id.isEmpty else { throw .invalid(field: "\(field).id", reason: "is required") }
            _ = try NameText.validate(unit.id, field: "\(field).id", maximum: Self.maximumUnitIDLength)
            guard seen.insert(unit.id).inserted else {
                throw .invalid(field: "\(field).id", reason: "repeats unit \"\(unit.id)\"; unit ids must be unique")
            }
            guard unit.labels.count <= Self.maximumLabels else {
                throw .invalid(field: "\(field).labels", reason: "must have at most \(Self.maximumLabels) labels")
            }
            for (key, value) in unit.labels {
                _ = try NameText.validate(key, field: "\(field).labels", maximum: 100)
                _ = try NameText.validate(value, field: "\(field).labels.\(key)", maximum: 200)
            }
            if let weight = unit.weightMs, !(weight.isFinite && weight >= 0 && weight <= 86_400_000) {
                throw .invalid(field: "\(field).weight_ms", reason: "must be a number of milliseconds from 0 to 86400000")
            }
        }
        self.identity = identity
        // Byte order of the ids: every worker that lists the same units, in whatever order its
        // glob found them, registers the same queue.
        self.units = units.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        self.options = options
    }
}

/// A worker's labels, checked as the API receives them.
public enum WorkerLabels {
    public static func validate(_ labels: [String: String], field: String = "labels") throws(ServiceError) -> [String: String] {
        guard labels.count <= OrchestrationSpec.maximumLabels else {
            throw .invalid(field: field, reason: "must have at most \(OrchestrationSpec.maximumLabels) labels")
        }
        for (key, value) in labels {
            _ = try NameText.validate(key, field: field, maximum: 100)
            _ = try NameText.validate(value, field: "\(field).\(key)", maximum: 200)
        }
        return labels
    }
}

/// Labels as stored: a jsonb object of strings, so `unit.labels <@ worker.labels` in SQL is the
/// containment the dispatcher's `Labels.worker(_:canTake:)` checks in Swift.
enum LabelsJSON {
    static func text(_ labels: [String: String]) -> String {
        var object = JSONObject()
        for key in labels.keys.sorted() { object[key] = .string(labels[key]!) }
        return String(decoding: JSON.object(object).serialized(), as: UTF8.self)
    }

    static func parse(_ text: String) -> [String: String] {
        // Most units have no labels, and a checkout reads a hundred candidates' at a time.
        if text == "{}" { return [:] }
        guard let object = (try? JSON.parse(Array(text.utf8)))?.objectValue else { return [:] }
        var labels: [String: String] = [:]
        for key in object.keys { if let value = object[key]?.stringValue { labels[key] = value } }
        return labels
    }
}
