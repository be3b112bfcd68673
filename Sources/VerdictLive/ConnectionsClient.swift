import CurlClient
import VerdictJSON
import VerdictS3

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `@connections` management API of an API Gateway WebSocket API, as a function calls it
/// to push to a client: `POST` sends, `GET` describes, `DELETE` disconnects. Requests are
/// SigV4-signed for `execute-api` in the `Authorization` header, as AWS SDKs sign them, so the
/// same code talks to AWS and to the emulator (which verifies the signature).
public final class ConnectionsClient {
    /// Set by the emulator to its own management endpoint; on AWS the template sets it to
    /// `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`.
    public static let endpointVariable = "VERDICT_WEBSOCKET_MANAGEMENT_ENDPOINT"

    public enum Outcome: Sendable, Equatable {
        case sent
        /// 410 GoneException: the client has disconnected; forget the connection.
        case gone
    }

    public struct Info: Sendable, Equatable {
        /// `ConnectedAt` / `LastActiveAt` as API Gateway returns them (RFC 3339 UTC).
        public var connectedAt: String
        public var lastActiveAt: String
        public var sourceIP: String
        public var userAgent: String?
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case configuration(String)
        case transport(String)
        /// Any other answer, e.g. 403 for a bad signature or 413 for an oversize message.
        case status(Int, type: String?, message: String)

        public var description: String {
            switch self {
            case .configuration(let why): return "@connections client: \(why)"
            case .transport(let why): return "@connections request failed: \(why)"
            case .status(let status, let type, let message):
                return "@connections answered \(status)\(type.map { " \($0)" } ?? ""): \(message)"
            }
        }
    }

    /// `https://…/<stage>` or the emulator's `http://127.0.0.1:<port>/_ws`, without a trailing slash.
    public let endpoint: String
    public let signer: SigV4RequestSigner
    public var timeoutMilliseconds: Int
    private let http = CurlHTTP()

    public init(endpoint: String, region: String, credentials: SigV4Credentials, timeoutMilliseconds: Int = 10_000) {
        var trimmed = Substring(endpoint)
        while trimmed.last == "/" { trimmed.removeLast() }
        self.endpoint = String(trimmed)
        self.signer = SigV4RequestSigner(credentials: credentials, region: region, service: "execute-api")
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Reads `VERDICT_WEBSOCKET_MANAGEMENT_ENDPOINT`, `AWS_REGION` (else `AWS_DEFAULT_REGION`,
    /// else us-east-1) and the `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
    /// `AWS_SESSION_TOKEN` Lambda (or the emulator) provides.
    public static func fromEnvironment(_ lookup: (String) -> String? = ObjectStoreConfiguration.processEnvironment) throws(Failure)
        -> ConnectionsClient
    {
        func value(_ name: String) -> String? {
            guard let text = lookup(name), !text.isEmpty else { return nil }
            return text
        }
        guard let endpoint = value(endpointVariable) else {
            throw .configuration("\(endpointVariable) is not set: the function does not know its WebSocket API")
        }
        guard let accessKeyID = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw .configuration("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set")
        }
        return ConnectionsClient(
            endpoint: endpoint, region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1",
            credentials: SigV4Credentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN")))
    }

    /// Sends `data` to the client as one message (a text frame when it is UTF-8).
    public func post(connectionID: String, data: [UInt8]) throws(Failure) -> Outcome {
        let response = try send("POST", connectionID: connectionID, body: data)
        switch response.status {
        case 200...299: return .sent
        case 410: return .gone
        default: throw failure(response)
        }
    }

    /// nil when the connection is gone.
    public func info(connectionID: String) throws(Failure) -> Info? {
        let response = try send("GET", connectionID: connectionID, body: [])
        if response.status == 410 { return nil }
        guard response.status == 200 else { throw failure(response) }
        guard let json = try? JSON.parse(response.body), let connectedAt = json["ConnectedAt"]?.stringValue else {
            throw .status(response.status, type: nil, message: "unreadable connection description")
        }
        return Info(
            connectedAt: connectedAt, lastActiveAt: json["LastActiveAt"]?.stringValue ?? connectedAt,
            sourceIP: json["Identity"]?["SourceIp"]?.stringValue ?? "", userAgent: json["Identity"]?["UserAgent"]?.stringValue)
    }

    /// Closes the client's connection (which then gets `$disconnect`).
    public func delete(connectionID: String) throws(Failure) -> Outcome {
        let response = try send("DELETE", connectionID: connectionID, body: [])
        switch response.status {
        case 200...299: return .sent
        case 410: return .gone
        default: throw failure(response)
        }
    }

    /// The connection's management URL; the id is a path segment, percent-encoded as botocore
    /// encodes URI labels.
    public func url(connectionID: String) -> String {
        var encoded = ""
        for byte in connectionID.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return "\(endpoint)/@connections/\(encoded)"
    }

    private func send(_ method: String, connectionID: String, body: [UInt8]) throws(Failure) -> CurlHTTP.Response {
        let url = url(connectionID: connectionID)
        let headers: [(name: String, value: String)]
        do {
            headers = try signer.authorizationHeaders(method: method, url: url, body: body)
        } catch {
            throw .configuration("cannot sign for \(url): \(error)")
        }
        do {
            return try http.perform(
                method: method, url: url, headers: headers.map { ($0.name, $0.value) }, body: method == "POST" ? body : nil,
                timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw .transport("\(method) \(url): \(error)")
        }
    }

    private func failure(_ response: CurlHTTP.Response) -> Failure {
        let json = try? JSON.parse(response.body)
        return .status(
            response.status, type: response.headers["x-amzn-errortype"],
            message: json?["message"]?.stringValue ?? String(decoding: response.body, as: UTF8.self))
    }
}
