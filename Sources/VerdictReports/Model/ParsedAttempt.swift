/// One run of a test: the first try or a retry.
public struct ParsedAttempt: Sendable, Equatable {
    /// 0 for the first run, 1 for the first retry, ...
    public var index: Int
    /// Never `.flaky`: flakiness is a property of the sequence of attempts.
    public var status: TestStatus
    public var durationMs: Double?
    /// What went wrong, in the order the report lists it. A JUnit case may carry a `<failure>`
    /// and an `<error>` in the same run; Playwright lists several errors per result.
    public var errors: [ParsedError]
    public var stdout: String?
    public var stderr: String?
    public var startedAtMs: Int64?

    public init(
        index: Int, status: TestStatus, durationMs: Double? = nil, errors: [ParsedError] = [],
        stdout: String? = nil, stderr: String? = nil, startedAtMs: Int64? = nil
    ) {
        self.index = index
        self.status = status
        self.durationMs = durationMs
        self.errors = errors
        self.stdout = stdout
        self.stderr = stderr
        self.startedAtMs = startedAtMs
    }

    /// The first (usually the only) error.
    public var error: ParsedError? { errors.first }
}

/// A failure or error as the report describes it.
public struct ParsedError: Sendable, Equatable {
    public var message: String?
    /// Exception class or failure kind (`java.lang.AssertionError`, `pytest.skip`).
    public var type: String?
    public var stack: String?

    public init(message: String? = nil, type: String? = nil, stack: String? = nil) {
        self.message = message
        self.type = type
        self.stack = stack
    }
}
