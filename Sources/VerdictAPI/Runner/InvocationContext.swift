import LambdaRuntime
import Logging
import VerdictCore
import VerdictDB
import VerdictJSON
import VerdictS3

/// Everything one invocation may use, built by the runner and handed to the handler: who is
/// calling (`access`, typed by the handler's policy), the logger for this request, the
/// deadline, and the process's database and object store.
public struct InvocationContext<Access: Sendable> {
    public let access: Access
    public var logger: Logger
    public let requestID: String
    /// Milliseconds since the Unix epoch after which Lambda stops the invocation.
    public let deadlineMilliseconds: Int64
    let resources: FunctionResources

    public init(access: Access, lambda: LambdaContext, resources: FunctionResources) {
        self.access = access
        self.logger = lambda.logger
        self.requestID = lambda.requestID
        self.deadlineMilliseconds = lambda.deadlineMilliseconds
        self.resources = resources
    }

    public var settings: FunctionSettings { resources.settings }

    /// Time left before the deadline; negative once it has passed.
    public var remainingTime: Duration { .milliseconds(deadlineMilliseconds - WallClock.nowMilliseconds()) }

    /// The database connection; 503 `database_unavailable` when there is none to be had.
    public func database() throws -> PostgresConnection { try resources.database() }

    /// The artifacts bucket; 503 `storage_unavailable` when the function is not configured for it.
    public func objectStore() throws -> ObjectStore {
        do {
            return try resources.objectStore()
        } catch {
            logger.error("object store unavailable", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Tells the run's live followers what happened. Best effort: a failure is logged, never
    /// thrown, since the upload that caused the event has succeeded either way.
    public func publish(_ type: LiveEventType, run runID: RunID, details: JSONObject = JSONObject()) {
        publish([(type, details)], run: runID)
    }

    /// Several events about one run, in order, from one read of who follows it.
    public func publish(_ events: [(type: LiveEventType, details: JSONObject)], run runID: RunID) {
        guard let sender = resources.liveSender(), !events.isEmpty else { return }
        do {
            let live = LiveEvents(db: try database(), sender: sender)
            let audience = try live.audience(of: runID)
            for event in events { try live.send(event.type, to: audience, details: event.details) }
        } catch {
            logger.warning("live events not sent", metadata: ["types": "\(events.map(\.type.rawValue))", "error": "\(error)"])
        }
    }

    /// The live events of this function, when it can send any.
    public func liveEvents() throws -> LiveEvents? {
        guard let sender = resources.liveSender() else { return nil }
        return LiveEvents(db: try database(), sender: sender)
    }
}
