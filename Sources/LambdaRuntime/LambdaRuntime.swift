import CMalloc
import Logging
import VerdictJSON

#if canImport(Glibc)
    import Glibc
#endif

/// A function body: bytes in, bytes out. Thrown errors are reported to Lambda as invocation
/// errors and the process goes on serving.
public protocol LambdaHandler {
    mutating func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8]
    /// Work the invocation left for after its outcome was posted: the caller has its answer,
    /// and the process asks for the next invocation only once this returns (Lambda bills it to
    /// the invocation, and sends the process nothing else meanwhile).
    mutating func afterResponse(context: LambdaContext) async
}

extension LambdaHandler {
    public mutating func afterResponse(context: LambdaContext) async {}
}

/// The Runtime API as the run loop uses it. `RuntimeAPIClient` speaks it over HTTP; a test
/// hands the loop a client of its own and drives it invocation by invocation.
public protocol RuntimeClient {
    associatedtype Failure: Error
    /// The next invocation; throwing ends the loop (there is nothing more to serve).
    func next() throws(Failure) -> RuntimeAPIClient.Invocation
    func postResponse(requestID: String, payload: [UInt8]) throws(Failure)
    func postError(requestID: String, error: LambdaError) throws(Failure)
    func postInitError(_ error: LambdaError) throws(Failure)
}

extension RuntimeAPIClient: RuntimeClient {}

/// Who the function is, as Lambda's environment tells it; the loop stamps it on every log line.
public struct FunctionIdentity: Sendable {
    public var name: String
    public var logLevel: Logger.Level

    public init(name: String, logLevel: Logger.Level = .info) {
        self.name = name
        self.logLevel = logLevel
    }

    /// `AWS_LAMBDA_FUNCTION_NAME` and `AWS_LAMBDA_LOG_LEVEL` (or `LOG_LEVEL`), as Lambda sets them.
    public static func fromEnvironment() -> FunctionIdentity {
        func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        let level = (value("AWS_LAMBDA_LOG_LEVEL") ?? value("LOG_LEVEL")).flatMap(Logger.Level.init(lambdaName:))
        return FunctionIdentity(name: value("AWS_LAMBDA_FUNCTION_NAME") ?? "verdict", logLevel: level ?? .info)
    }

    /// The process's logger: JSON lines on standard error, labelled with the function.
    public func makeLogger(write: @escaping @Sendable (String) -> Void = StandardStreams.log) -> Logger {
        var logger = Logger(label: name) { _ in JSONLogHandler(level: self.logLevel, write: write) }
        logger[metadataKey: "function"] = .string(name)
        return logger
    }
}

public enum LambdaRuntime {
    /// Runs the Runtime API loop until Lambda goes away. `makeHandler` is the function's
    /// initialization phase: if it throws, the error goes to `/runtime/init/error` and the
    /// process exits, as Lambda expects.
    public static func run<Handler: LambdaHandler>(_ makeHandler: () async throws -> Handler) async -> Never {
        let identity = FunctionIdentity.fromEnvironment()
        let logger = identity.makeLogger()
        guard let client = RuntimeAPIClient.fromEnvironment() else {
            logger.critical("AWS_LAMBDA_RUNTIME_API is not set: this executable must be started by Lambda or the Verdict emulator")
            exit(1)
        }
        keepFreedMemory()
        var handler: Handler
        do {
            handler = try await makeHandler()
        } catch {
            logger.critical("initialization failed", metadata: ["error": "\(error)"])
            var initError = LambdaError(describing: error)
            initError.type = "Runtime.InitError"
            try? client.postInitError(initError)
            exit(1)
        }
        do {
            try await serve(client: client, handler: &handler, logger: logger)
        } catch {
            // Without the Runtime API there is nothing to serve: Lambda (or the emulator) is gone.
            logger.critical("the Runtime API failed", metadata: ["error": "\(error)"])
        }
        exit(1)
    }

    /// Serves invocations one after another until `client.next()` throws, which it rethrows.
    /// The environment is not read here, so a test can run the loop against a client of its own.
    public static func serve<Client: RuntimeClient, Handler: LambdaHandler>(
        client: Client, handler: inout Handler, logger: Logger
    ) async throws(Client.Failure) {
        while true {
            let invocation = try client.next()
            if let traceID = invocation.context.traceID {
                setenv("_X_AMZN_TRACE_ID", traceID, 1)
            } else {
                unsetenv("_X_AMZN_TRACE_ID")
            }
            let requestID = invocation.context.requestID
            var context = invocation.context
            context.logger = logger
            context.logger[metadataKey: "request_id"] = .string(requestID)
            let outcome: Result<[UInt8], any Error>
            do {
                outcome = .success(try await handler.handle(invocation.payload, context: context))
            } catch {
                outcome = .failure(error)
            }
            do {
                switch outcome {
                case .success(let output) where output.count > RuntimeAPIClient.maxResponseBytes:
                    try client.postError(
                        requestID: requestID,
                        error: LambdaError(
                            type: "Function.ResponseSizeTooLarge",
                            message:
                                "Response payload size (\(output.count) bytes) exceeded maximum allowed payload size (\(RuntimeAPIClient.maxResponseBytes) bytes)."
                        ))
                case .success(let output):
                    try client.postResponse(requestID: requestID, payload: output)
                case .failure(let error):
                    context.logger.error("invocation failed", metadata: ["error": "\(error)"])
                    try client.postError(requestID: requestID, error: LambdaError(describing: error))
                }
            } catch {
                context.logger.error("could not deliver the outcome", metadata: ["error": "\(error)"])
            }
            await handler.afterResponse(context: context)
        }
    }
}

extension LambdaRuntime {
    /// A warm process serves one request after another with the same large buffers (a
    /// downloaded report, COPY rows, an export document). By default glibc hands every buffer
    /// over 128 KiB back to the kernel when it is freed, so each request faulted its pages in
    /// afresh (a tenth of the ingest function's CPU went to page faults). Buffers up to 32 MiB
    /// (glibc's ceiling for the threshold) now come from the heap, and freed memory stays there
    /// for the next request.
    static func keepFreedMemory() {
        #if canImport(Glibc)
            mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
            mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024)
        #endif
    }
}
