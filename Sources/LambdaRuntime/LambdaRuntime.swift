import CMalloc
import VerdictJSON

#if canImport(Glibc)
    import Glibc
#endif

/// A function body: bytes in, bytes out. Thrown errors are reported to Lambda as invocation
/// errors and the process goes on serving.
public protocol LambdaHandler {
    mutating func handle(_ payload: [UInt8], context: LambdaContext) async throws -> [UInt8]
}

public enum LambdaRuntime {
    /// Runs the Runtime API loop forever. `makeHandler` is the function's initialization phase:
    /// if it throws, the error goes to `/runtime/init/error` and the process exits, as Lambda expects.
    public static func run<Handler: LambdaHandler>(_ makeHandler: () async throws -> Handler) async -> Never {
        guard let client = RuntimeAPIClient.fromEnvironment() else {
            log("AWS_LAMBDA_RUNTIME_API is not set: this executable must be started by Lambda or the Verdict emulator")
            exit(1)
        }
        keepFreedMemory()
        var handler: Handler
        do {
            handler = try await makeHandler()
        } catch {
            log("initialization failed: \(error)")
            var initError = LambdaError(describing: error)
            initError.type = "Runtime.InitError"
            try? client.postInitError(initError)
            exit(1)
        }
        while true {
            let invocation: RuntimeAPIClient.Invocation
            do {
                invocation = try client.next()
            } catch {
                // Without the Runtime API there is nothing to serve: Lambda (or the emulator) is gone.
                log("\(error)")
                exit(1)
            }
            if let traceID = invocation.context.traceID {
                setenv("_X_AMZN_TRACE_ID", traceID, 1)
            } else {
                unsetenv("_X_AMZN_TRACE_ID")
            }
            let requestID = invocation.context.requestID
            let outcome: Result<[UInt8], any Error>
            do {
                outcome = .success(try await handler.handle(invocation.payload, context: invocation.context))
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
                    try client.postError(requestID: requestID, error: LambdaError(describing: error))
                }
            } catch {
                log("could not deliver the outcome of \(requestID): \(error)")
            }
        }
    }

    static func log(_ message: String) {
        StandardStreams.log("verdict-runtime: \(message)")
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
