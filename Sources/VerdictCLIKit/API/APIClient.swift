import HTTPContract
import VerdictJSON

/// Why an API call did not succeed.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The API answered with an error status (after any retries), with its error `code`.
        case status(Int, code: String?)
        /// No answer after every retry (or a problem no retry fixes, such as a bad URL).
        case unreachable
        /// The answer was not the JSON the API documents.
        case invalidResponse
        /// SIGINT or SIGTERM arrived while waiting to retry.
        case interrupted
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public var status: Int? {
        if case .status(let status, _) = kind { return status }
        return nil
    }

    public var code: String? {
        if case .status(_, let code) = kind { return code }
        return nil
    }
}

/// Calls the API with retries: connection errors, 429 and 5xx are tried again after a
/// `Backoff` delay (a `Retry-After` is honoured); any other answer, a 4xx above all, is final.
public final class APIClient {
    public let config: APIConfig
    let transport: any HTTPTransport
    let backoff: Backoff
    /// Waits between tries; false when the CLI was asked to stop meanwhile.
    let pause: (Double) -> Bool
    let random: () -> Double
    let log: (String) -> Void

    public init(
        config: APIConfig, transport: any HTTPTransport, pause: @escaping (Double) -> Bool,
        random: @escaping () -> Double = { Double.random(in: 0..<1) }, log: @escaping (String) -> Void = Console.note
    ) {
        self.config = config
        self.transport = transport
        self.backoff = Backoff(retries: config.retries)
        self.pause = pause
        self.random = random
        self.log = log
    }

    /// An API call with a JSON body (or none); 2xx answers come back parsed.
    @discardableResult
    public func call(_ method: String, _ path: String, json body: JSON? = nil) throws(APIError) -> (status: Int, json: JSON) {
        var headers = apiHeaders()
        var payload = HTTPRequest.Body.none
        if let body {
            headers.append(("Content-Type", "application/json"))
            payload = .bytes(body.serialized())
        }
        let reply = try send(
            HTTPRequest(method: method, url: config.baseURL + path, headers: headers, body: payload), what: "\(method) \(path)")
        guard (200..<300).contains(reply.status) else { throw Self.error(from: reply, what: "\(method) \(path)") }
        if reply.body.isEmpty { return (reply.status, .null) }
        do {
            return (reply.status, try JSON.parse(reply.body))
        } catch {
            throw APIError(.invalidResponse, "\(method) \(path): the answer is not JSON (\(error))")
        }
    }

    /// The headers of a call to the API itself (never of a presigned storage URL, which must
    /// not see the key).
    func apiHeaders() -> [(String, String)] {
        var headers = [("Accept", "application/json"), ("User-Agent", "verdict-cli")]
        if let key = config.apiKey { headers.append(("X-API-Key", key)) }
        return headers
    }

    /// Sends `request`, retrying what may succeed later; answers whatever status came last.
    public func send(_ request: HTTPRequest, what: String) throws(APIError) -> HTTPReply {
        var retry = 0
        while true {
            let problem: String
            var retryAfter: String?
            do {
                let reply = try transport.send(request)
                guard reply.status == 429 || (500..<600).contains(reply.status) else { return reply }
                if retry >= backoff.retries { return reply }
                problem = "HTTP \(reply.status)" + (Self.errorCode(reply).map { " \($0)" } ?? "")
                retryAfter = reply.headers["retry-after"]
            } catch {
                guard error.retryable, retry < backoff.retries else {
                    throw APIError(.unreachable, "\(what): \(error.message)" + (retry > 0 ? " (after \(retry + 1) tries)" : ""))
                }
                problem = error.message
            }
            retry += 1
            let delay = backoff.delay(beforeRetry: retry, unit: random(), retryAfter: retryAfter)
            log("\(what): \(problem); retry \(retry) of \(backoff.retries) in \(Self.seconds(delay))")
            guard pause(delay) else { throw APIError(.interrupted, "\(what): interrupted") }
        }
    }

    /// The API's `{"error":{"code","message"}}` as an `APIError`; API Gateway's own
    /// `{"message"}` and bodies that are not JSON at all are described as they are.
    static func error(from reply: HTTPReply, what: String) -> APIError {
        let json = try? JSON.parse(reply.body)
        let code = json?["error"]?["code"]?.stringValue
        let message =
            json?["error"]?["message"]?.stringValue ?? json?["message"]?.stringValue
            ?? String(decoding: reply.body.prefix(300), as: UTF8.self)
        let detail = [code, message.isEmpty ? nil : message].compactMap { $0 }.joined(separator: ": ")
        return APIError(.status(reply.status, code: code), "\(what): HTTP \(reply.status)" + (detail.isEmpty ? "" : " \(detail)"))
    }

    static func errorCode(_ reply: HTTPReply) -> String? {
        (try? JSON.parse(reply.body))?["error"]?["code"]?.stringValue
    }

    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// A path segment with everything but RFC 3986's unreserved characters percent-encoded.
    public static func segment(_ text: String) -> String { PercentEncoding.encodeComponent(text) }
}
