import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// What Lambda tells a function about the invocation it is serving, and the logger the runtime
/// made for it (its lines carry the function's name and this request's id).
public struct LambdaContext: Sendable {
    public var requestID: String
    public var logger: Logger
    /// Milliseconds since the Unix epoch after which Lambda stops the invocation.
    public var deadlineMilliseconds: Int64
    public var invokedFunctionARN: String
    public var traceID: String?
    /// The client context JSON that mobile SDKs and Invoke callers may attach, as sent.
    public var clientContext: String?
    public var cognitoIdentity: String?

    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String,
        traceID: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil,
        logger: Logger = Logger(label: "verdict", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.requestID = requestID
        self.logger = logger
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
    }

    /// Time left before the deadline; negative once it has passed.
    public var remainingTime: Duration {
        .milliseconds(deadlineMilliseconds - WallClock.nowMilliseconds())
    }
}

public enum WallClock {
    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    public static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
