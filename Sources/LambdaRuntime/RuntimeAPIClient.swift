import CurlClient
import HTTPContract
import VerdictJSON

#if canImport(Glibc)
    import Glibc
#endif

/// The client side of the Lambda Runtime API, version 2018-06-01.
///
/// One instance per process: it owns the connection that the long-polling `next` call and the
/// response post share.
public final class RuntimeAPIClient {
    public struct Invocation: Sendable {
        public var context: LambdaContext
        public var payload: [UInt8]

        public init(context: LambdaContext, payload: [UInt8]) {
            self.context = context
            self.payload = payload
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case transport(CurlHTTP.Failure)
        case unexpectedStatus(endpoint: String, status: Int, body: String)
        case missingHeader(String)

        public var description: String {
            switch self {
            case .transport(let failure): return "Runtime API unreachable: \(failure)"
            case .unexpectedStatus(let endpoint, let status, let body): return "Runtime API \(endpoint) answered \(status): \(body)"
            case .missingHeader(let name): return "Runtime API response lacks \(name)"
            }
        }
    }

    /// Lambda rejects responses larger than this; the runtime reports it as an error instead.
    public static let maxResponseBytes = PayloadLimits.invocationBytes

    private let base: String
    private let http = CurlHTTP()

    public init(endpoint: String) {
        base = "http://\(endpoint)/2018-06-01/runtime"
    }

    /// Reads `AWS_LAMBDA_RUNTIME_API`, which Lambda (and Verdict's emulator) sets for every runtime.
    public static func fromEnvironment() -> RuntimeAPIClient? {
        guard let value = getenv("AWS_LAMBDA_RUNTIME_API") else { return nil }
        return RuntimeAPIClient(endpoint: String(cString: value))
    }

    /// Blocks until the next invocation arrives; there is deliberately no timeout.
    public func next() throws(Failure) -> Invocation {
        let response: CurlHTTP.Response
        do {
            response = try http.perform(method: "GET", url: "\(base)/invocation/next")
        } catch {
            throw .transport(error)
        }
        guard response.status == 200 else {
            throw .unexpectedStatus(endpoint: "next", status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
        guard let requestID = response.headers["lambda-runtime-aws-request-id"] else {
            throw .missingHeader("Lambda-Runtime-Aws-Request-Id")
        }
        let context = LambdaContext(
            requestID: requestID,
            deadlineMilliseconds: response.headers["lambda-runtime-deadline-ms"].flatMap { Int64($0) } ?? WallClock.nowMilliseconds()
                + 3000,
            invokedFunctionARN: response.headers["lambda-runtime-invoked-function-arn"] ?? "",
            traceID: response.headers["lambda-runtime-trace-id"],
            clientContext: response.headers["lambda-runtime-client-context"],
            cognitoIdentity: response.headers["lambda-runtime-cognito-identity"]
        )
        return Invocation(context: context, payload: response.body)
    }

    public func postResponse(requestID: String, payload: [UInt8]) throws(Failure) {
        try post("invocation/\(requestID)/response", body: payload, headers: [])
    }

    public func postError(requestID: String, error: LambdaError) throws(Failure) {
        try post("invocation/\(requestID)/error", body: error.json.serialized(), headers: error.headers)
    }

    public func postInitError(_ error: LambdaError) throws(Failure) {
        try post("init/error", body: error.json.serialized(), headers: error.headers)
    }

    private func post(_ path: String, body: [UInt8], headers: [(String, String)]) throws(Failure) {
        let response: CurlHTTP.Response
        do {
            response = try http.perform(
                method: "POST", url: "\(base)/\(path)",
                headers: [("Content-Type", "application/json")] + headers, body: body, timeoutMilliseconds: 30_000)
        } catch {
            throw .transport(error)
        }
        guard (200..<300).contains(response.status) else {
            throw .unexpectedStatus(endpoint: path, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
    }
}

/// An error as the Runtime API wants it: JSON body plus the error-type header.
public struct LambdaError: Error, Sendable {
    public var type: String
    public var message: String
    public var stackTrace: [String]

    public init(type: String, message: String, stackTrace: [String] = []) {
        self.type = type
        self.message = message
        self.stackTrace = stackTrace
    }

    public init(describing error: any Error) {
        self.init(type: String(describing: Swift.type(of: error)), message: String(describing: error))
    }

    var json: JSON {
        ["errorMessage": .string(message), "errorType": .string(type), "stackTrace": JSON(stackTrace)]
    }

    var headers: [(String, String)] { [("Lambda-Runtime-Function-Error-Type", type)] }
}
