import HTTPContract
import VerdictCore
import VerdictDB
import VerdictHTTP
import VerdictJSON

/// `$connect` of the live API: remembers the connection and whose it is (a key sent with the
/// opening request lets it follow the team's private projects; none follows public ones).
public struct LiveConnect: SocketEndpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ event: WebSocketEvent, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        try LiveConnections(db: try context.database()).connect(event.connectionID, as: context.access)
        return HTTPResponse(status: 200)
    }
}

/// `$disconnect`: forgets the connection and what it followed.
public struct LiveDisconnect: SocketEndpoint {
    public typealias Access = Anyone

    public init() {}

    public func handle(_ event: WebSocketEvent, context: InvocationContext<Anyone.Granted>) async throws -> HTTPResponse {
        try LiveConnections(db: try context.database()).disconnect(event.connectionID)
        return HTTPResponse(status: 200)
    }
}

/// Every message (`$default`): `{"action":"subscribe","run_id":…}` or `{"action":"subscribe",
/// "project":…}` (a project's id) follows a run or a project. The answer is pushed back:
/// `{"type":"subscribed",…}`, or `{"type":"error","code","message"}` naming what was wrong.
public struct LiveMessage: SocketEndpoint {
    public typealias Access = Anyone

    public init() {}

    public func handle(_ event: WebSocketEvent, context: InvocationContext<Anyone.Granted>) async throws -> HTTPResponse {
        let reply: JSON
        do {
            reply = try subscribe(event, db: try context.database())
        } catch {
            let apiError = APIError.answering(error)
            reply = ["type": "error", "code": .string(apiError.code.rawValue), "message": .string(apiError.message)]
        }
        if let sender = context.resources.liveSender() {
            do {
                _ = try sender.send(reply.serialized(), to: event.connectionID)
            } catch {
                context.logger.warning("reply not sent", metadata: ["error": "\(error)"])
            }
        }
        return HTTPResponse(status: 200)
    }

    func subscribe(_ event: WebSocketEvent, db: PostgresConnection) throws -> JSON {
        guard let text = event.bodyText, case .object(let object) = (try? JSON.parse(Array(text.utf8))) ?? .null else {
            throw APIError(.invalidJSON, "a message must be a JSON object such as {\"action\":\"subscribe\",\"run_id\":\"…\"}")
        }
        let fields = JSONFields(object)
        try fields.rejectUnknown(allowed: ["action", "run_id", "project"])
        guard try fields.requiredString("action") == "subscribe" else {
            throw APIError.invalidParameter("action", "must be subscribe")
        }
        let connections = LiveConnections(db: db)
        if let run = try fields.string("run_id") {
            let runID = try RunID(parsing: run, field: "run_id")
            try connections.subscribe(event.connectionID, to: .run(runID))
            return ["type": "subscribed", "run_id": .string(runID.text)]
        }
        if let project = try fields.string("project") {
            let projectID = try ProjectID(parsing: project, field: "project")
            try connections.subscribe(event.connectionID, to: .project(projectID))
            return ["type": "subscribed", "project": .string(projectID.text)]
        }
        throw APIError.invalidParameter("run_id", "a subscription names a run_id or a project")
    }
}
