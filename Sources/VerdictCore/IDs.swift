import VerdictDB

/// What an id names; only its noun, for messages ("run 0190… not found").
public protocol IDKind: Sendable {
    static var noun: String { get }
}

/// A row's id, typed by what it names: a `RunID` cannot be passed where a `CaseID` is expected.
/// It holds the uuid's two words, so ids are cheap to compare and hash, and print in the
/// canonical lower-case form.
public struct ID<Kind: IDKind>: Hashable, Sendable, CustomStringConvertible, PostgresTextDecodable {
    public let key: UUIDKey

    public init(_ key: UUIDKey) { self.key = key }

    /// The canonical 8-4-4-4-12 form, in either case; nil for anything else.
    public init?(_ text: String) {
        guard UUIDText.isValid(text), let key = UUIDKey(text) else { return nil }
        self.key = key
    }

    /// An id a caller sent; `field` names where it came from (`id`, `run_id`, `files[2].id`).
    public init(parsing text: String, field: String) throws(ServiceError) {
        guard let id = ID(text) else { throw .invalid(field: field, reason: "must be a UUID") }
        self = id
    }

    public init?(postgresText: String) { self.init(postgresText) }

    public var text: String { key.text }
    public var description: String { text }
    /// "run 0190…", for messages.
    public var named: String { "\(Kind.noun) \(text)" }
}

public enum TeamKind: IDKind { public static let noun = "team" }
public enum APIKeyKind: IDKind { public static let noun = "API key" }
public enum ProjectKind: IDKind { public static let noun = "project" }
public enum RunKind: IDKind { public static let noun = "run" }
public enum ReportKind: IDKind { public static let noun = "report" }
public enum SuiteKind: IDKind { public static let noun = "suite" }
public enum CaseKind: IDKind { public static let noun = "case" }
public enum TestKind: IDKind { public static let noun = "test" }
public enum AttachmentKind: IDKind { public static let noun = "attachment" }
public enum ClusterKind: IDKind { public static let noun = "failure cluster" }

public typealias TeamID = ID<TeamKind>
public typealias APIKeyID = ID<APIKeyKind>
public typealias ProjectID = ID<ProjectKind>
public typealias RunID = ID<RunKind>
public typealias ReportID = ID<ReportKind>
public typealias SuiteID = ID<SuiteKind>
public typealias CaseID = ID<CaseKind>
public typealias TestID = ID<TestKind>
public typealias AttachmentID = ID<AttachmentKind>
/// A failure cluster: a content hash of the failure (see `VerdictInsights.FailureFingerprint`),
/// the same in every project, run and week.
public typealias ClusterID = ID<ClusterKind>
