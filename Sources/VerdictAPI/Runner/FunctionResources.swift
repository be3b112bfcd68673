import HTTPContract
import Logging
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictLive
import VerdictS3

#if canImport(Glibc)
    import Glibc
#endif

/// What a function reads from its environment (the template sets it), read once at start.
public struct FunctionSettings: Sendable {
    public var functionName: String
    /// `DATABASE_URL` as libpq understands it (a `postgresql://` URI or `key=value` pairs).
    public var databaseURL: String?
    /// Where an invocation may write files: `TMPDIR`, else Lambda's /tmp.
    public var scratchDirectory: String
    /// Runs without an upload for this long are marked incomplete by the reaper.
    public var staleRunMinutes: Int
    /// Where a browser opens the WebSocket API (`VERDICT_LIVE_URL`): on AWS its own
    /// `wss://…execute-api…/live` domain, under the emulator a path on the pages' own host; nil
    /// when there is none, and pages then poll.
    public var liveURL: String?
    /// The command that writes failure clusters' summaries (`VERDICT_CLUSTER_SUMMARY_COMMAND`,
    /// the template's `ClusterSummaryCommand`); nil: summaries are off.
    public var summaryCommand: SummaryCommand?

    public init(
        functionName: String, databaseURL: String?, scratchDirectory: String = "/tmp", staleRunMinutes: Int = 60, liveURL: String? = nil,
        summaryCommand: SummaryCommand? = nil
    ) {
        self.functionName = functionName
        self.databaseURL = databaseURL
        self.scratchDirectory = scratchDirectory
        self.staleRunMinutes = staleRunMinutes
        self.liveURL = liveURL
        self.summaryCommand = summaryCommand
    }

    public static func fromEnvironment(_ lookup: (String) -> String? = FunctionResources.processEnvironment) -> FunctionSettings {
        func value(_ name: String) -> String? { lookup(name).flatMap { $0.isEmpty ? nil : $0 } }
        let stale = value("STALE_RUN_MINUTES").flatMap(Int.init).flatMap { (1...525_600).contains($0) ? $0 : nil }
        return FunctionSettings(
            functionName: value("AWS_LAMBDA_FUNCTION_NAME") ?? "verdict", databaseURL: value("DATABASE_URL"),
            scratchDirectory: value("TMPDIR") ?? "/tmp", staleRunMinutes: stale ?? 60, liveURL: value("VERDICT_LIVE_URL"),
            summaryCommand: value("VERDICT_CLUSTER_SUMMARY_COMMAND").map {
                SummaryCommand(commandLine: $0, environment: FunctionResources.processEnvironment())
            })
    }
}

/// The process's dependencies, kept across invocations the way Lambda keeps a warm process:
/// one database connection (re-opened by `PostgresConnection` when it breaks) and one object
/// store. Both open on first use, so an endpoint that needs neither (health) never waits on
/// them, and a missing setting is a clear 503 for the request that needed it rather than a
/// process that cannot start.
public final class FunctionResources {
    public let settings: FunctionSettings
    private let storeConfiguration: Result<ObjectStoreConfiguration, ObjectStoreError>
    private var connection: PostgresConnection?
    private var store: ObjectStore?
    private var sender: Result<any LiveSender, ConnectionsClient.Failure>?
    private var afterResponse: [() -> Void] = []

    public init(settings: FunctionSettings, objectStore: Result<ObjectStoreConfiguration, ObjectStoreError>) {
        self.settings = settings
        self.storeConfiguration = objectStore
    }

    /// Everything from the process environment, as Lambda (or the emulator) set it.
    public static func fromEnvironment() -> FunctionResources {
        FunctionResources(
            settings: .fromEnvironment(), objectStore: Result { () throws(ObjectStoreError) in try .fromEnvironment() })
    }

    /// Leaves `work` for after the current invocation's response has been sent.
    func runAfterResponse(_ work: @escaping () -> Void) {
        afterResponse.append(work)
    }

    /// Runs what the invocation left for after its response, in the order it was left.
    public func runAfterResponse() {
        let pending = afterResponse
        afterResponse = []
        for work in pending { work() }
    }

    public static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Every `NAME=value` of the process's environment.
    public static func processEnvironment() -> [String] {
        var entries: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            entries.append(String(cString: pointer))
            entry += 1
        }
        return entries
    }

    public func database() throws -> PostgresConnection {
        if let connection { return connection }
        guard let url = settings.databaseURL else {
            throw APIError(.databaseUnavailable, "the function has no database: DATABASE_URL is not set")
        }
        let opened = try PostgresConnection(url: url)
        connection = opened
        return opened
    }

    /// Where live events go: nil when the function has no WebSocket API to push through
    /// (`VERDICT_WEBSOCKET_MANAGEMENT_ENDPOINT` is unset), which is no error: events are extras.
    public func liveSender() -> (any LiveSender)? {
        if sender == nil {
            sender = Result { () throws(ConnectionsClient.Failure) -> any LiveSender in
                ConnectionsSender(client: try ConnectionsClient.fromEnvironment())
            }
        }
        return try? sender?.get()
    }

    /// A sender of the test's own, in place of the environment's.
    public func useLiveSender(_ sender: any LiveSender) {
        self.sender = .success(sender)
    }

    public func objectStore() throws -> ObjectStore {
        if let store { return store }
        switch storeConfiguration {
        case .success(let configuration):
            let made = ObjectStore(configuration: configuration)
            store = made
            return made
        case .failure(let error):
            throw APIError(.storageUnavailable, "the function's artifacts bucket is not configured: \(error)")
        }
    }
}

/// Pushes through API Gateway's `@connections` API (the emulator's, locally).
struct ConnectionsSender: LiveSender {
    let client: ConnectionsClient

    func send(_ message: [UInt8], to connectionID: String) throws -> LiveDelivery {
        switch try client.post(connectionID: connectionID, data: message) {
        case .sent: return .sent
        case .gone: return .gone
        }
    }
}
