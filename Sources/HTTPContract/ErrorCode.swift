/// The one catalogue of error codes a client can see in `{"error":{"code":…,"message":…}}`,
/// from a handler or from the gateway in front of it. The README's error table and the OpenAPI
/// document are checked against it (ContractTests), so a code cannot ship undocumented.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidJSON = "invalid_json"
    case invalidParameter = "invalid_parameter"
    case parseError = "parse_error"
    case unsupportedFormat = "unsupported_format"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case attachmentNotStored = "attachment_not_stored"
    case noBaseRun = "no_base_run"
    case runChanged = "run_changed"
    case expectedReportsMismatch = "expected_reports_mismatch"
    case tooManyReports = "too_many_reports"
    case reportCompleted = "report_completed"
    case fileNotUploaded = "file_not_uploaded"
    case reportNotUploaded = "report_not_uploaded"
    case unitsMismatch = "units_mismatch"
    case leaseNotHeld = "lease_not_held"
    case leaseEnded = "lease_ended"
    case gateExists = "gate_exists"
    case summariesDisabled = "summaries_disabled"
    case payloadTooLarge = "payload_too_large"
    case responseTooLarge = "response_too_large"
    case summaryFailed = "summary_failed"
    case notAReport = "not_a_report"
    case sizeMismatch = "size_mismatch"
    case checksumMismatch = "checksum_mismatch"
    case `internal`
    case functionError = "function_error"
    case functionCrashed = "function_crashed"
    case functionInitFailed = "function_init_failed"
    case invalidFunctionResponse = "invalid_function_response"
    case databaseUnavailable = "database_unavailable"
    case storageUnavailable = "storage_unavailable"
    case notReady = "not_ready"
    case functionTimeout = "function_timeout"

    /// The HTTP status that always comes with the code.
    public var status: Int {
        switch self {
        case .invalidJSON, .invalidParameter, .parseError, .unsupportedFormat: return 400
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound, .attachmentNotStored, .noBaseRun: return 404
        case .runChanged, .expectedReportsMismatch, .tooManyReports, .reportCompleted, .fileNotUploaded, .reportNotUploaded,
            .unitsMismatch, .leaseNotHeld, .leaseEnded, .gateExists, .summariesDisabled:
            return 409
        case .payloadTooLarge, .responseTooLarge: return 413
        case .notAReport, .sizeMismatch, .checksumMismatch: return 422
        case .internal: return 500
        case .functionError, .functionCrashed, .functionInitFailed, .invalidFunctionResponse, .summaryFailed: return 502
        case .databaseUnavailable, .storageUnavailable, .notReady: return 503
        case .functionTimeout: return 504
        }
    }

    /// When a client sees it, in the README's words.
    public var summary: String {
        switch self {
        case .invalidJSON: return "the body is not a JSON object (the message says where it broke)"
        case .invalidParameter: return "a field, path or query parameter is wrong; the message names it"
        case .parseError: return "the report is not well-formed (the message has line and column for XML)"
        case .unsupportedFormat: return "an unknown `format`"
        case .unauthorized: return "no API key where one is required, or an unknown, expired or revoked one"
        case .forbidden: return "the key lacks the scope the endpoint needs"
        case .notFound: return "the addressed object does not exist, or the caller may not see it"
        case .attachmentNotStored: return "the attachment's bytes were not uploaded; the message names its original path"
        case .noBaseRun: return "a comparison without `base` found no completed run before head to compare with"
        case .runChanged: return "the run was deleted while an upload looked it up; retry"
        case .expectedReportsMismatch: return "a shard disagrees with its run on `total_reports_expected`"
        case .tooManyReports: return "every report the run expects is already registered"
        case .reportCompleted: return "the shard is already complete with different files"
        case .fileNotUploaded: return "`complete` before every registered file was PUT"
        case .reportNotUploaded: return "the report file's upload is not verified yet"
        case .unitsMismatch: return "an orchestration with this identity exists with other units"
        case .leaseNotHeld: return "the lease belongs to another worker or another run"
        case .leaseEnded: return "the lease expired, was given back or its run ended; check out again"
        case .gateExists: return "the project has a quality gate of that name with other rules"
        case .summariesDisabled: return "no summary command is configured (the `ClusterSummaryCommand` parameter)"
        case .summaryFailed: return "the summary command failed, timed out or printed nothing; the message says how"
        case .payloadTooLarge: return "the request is over Lambda's 6 MB payload limit"
        case .responseTooLarge: return "the response is over Lambda's 6 MB payload limit"
        case .notAReport: return "well-formed XML or JSON that is not a test report"
        case .sizeMismatch: return "an uploaded file's size is not the registered one"
        case .checksumMismatch: return "an uploaded file's SHA-256 is not the registered one"
        case .internal: return "a fault of Verdict's own; the function's log has the request id"
        case .functionError: return "the function failed"
        case .functionCrashed: return "the function's process died"
        case .functionInitFailed: return "the function could not start"
        case .invalidFunctionResponse: return "the function answered something API Gateway cannot use"
        case .databaseUnavailable: return "PostgreSQL is unreachable or not configured"
        case .storageUnavailable: return "the artifacts bucket is unreachable or not configured"
        case .notReady: return "the database is unreachable or its schema is not migrated"
        case .functionTimeout: return "the function ran past its timeout"
        }
    }
}
