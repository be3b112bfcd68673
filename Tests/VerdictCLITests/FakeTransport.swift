import VerdictJSON

@testable import VerdictCLIKit

/// Answers requests from a script and remembers them.
final class ScriptedTransport: HTTPTransport {
    enum Step {
        case reply(HTTPReply)
        case fail(TransportError)
    }

    var steps: [Step]
    private(set) var requests: [HTTPRequest] = []

    init(_ steps: [Step]) {
        self.steps = steps
    }

    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPReply {
        requests.append(request)
        guard !steps.isEmpty else { return HTTPReply(status: 599) }
        switch steps.removeFirst() {
        case .reply(let reply): return reply
        case .fail(let error): throw error
        }
    }
}

extension HTTPReply {
    static func json(_ status: Int, _ json: JSON, headers: [String: String] = [:]) -> HTTPReply {
        HTTPReply(status: status, headers: headers, body: json.serialized())
    }
}

/// A client whose pauses are recorded instead of slept.
final class PauseRecorder {
    var pauses: [Double] = []
    var allow = true

    func client(_ transport: any HTTPTransport, retries: Int = 5, key: String? = "vd_key") -> APIClient {
        APIClient(
            config: APIConfig(baseURL: "http://api.test", apiKey: key, retries: retries), transport: transport,
            pause: { seconds in
                self.pauses.append(seconds)
                return self.allow
            }, random: { 0.5 }, log: { _ in })
    }
}
