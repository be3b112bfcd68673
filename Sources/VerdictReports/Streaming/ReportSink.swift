/// Receives a report's cases while it is being parsed, each as soon as it is complete, so that
/// a caller (the database ingest) never needs to hold them all.
///
/// The contract, for every format:
/// - `suiteStarted(_:index:)` is called for a suite before any case that points at it, with the
///   index its cases carry as `ParsedCase.suiteIndex`. The suite is given as known at that point;
///   attributes found further on (a JUnit `<system-out>`, `<properties>` or suite-level `<error>`
///   written after the cases) are only in `ReportSummary.suites[index]` at the end.
/// - `accept(_:)` is called once per case, in document order.
/// - A throwing sink stops the parse at once: the error comes back as `ReportStreamError.sink`.
/// - When the parse fails later (`ReportStreamError.parse`, e.g. a truncated file), cases already
///   accepted belong to a report that was rejected; the sink's owner discards them (the ingest
///   rolls its transaction back).
public protocol ReportSink {
    mutating func suiteStarted(_ suite: ParsedSuite, index: Int) throws(ReportSinkError)
    mutating func accept(_ testCase: ParsedCase) throws(ReportSinkError)
}

extension ReportSink {
    public mutating func suiteStarted(_ suite: ParsedSuite, index: Int) throws(ReportSinkError) {}
}

/// Why a sink refused a case (the database went away, a quota was reached). Kept apart from
/// `ReportParseError`: that one describes the uploaded file and is the uploader's to fix, this
/// one is the service's own failure.
public struct ReportSinkError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// What the sink itself caught, for logs.
    public var underlying: (any Error & Sendable)?

    public init(_ message: String, underlying: (any Error & Sendable)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "report sink failed: \(message)" }
}

/// Why a streaming parse stopped: the report is bad (`parse`: tell the uploader) or the sink
/// failed (`sink`: the service's problem, retry or report it).
public enum ReportStreamError: Error, Sendable, CustomStringConvertible {
    case parse(ReportParseError)
    case sink(ReportSinkError)
    /// The file to parse could not be opened or read (the service's problem, like `sink`).
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .parse(let error): error.description
        case .sink(let error): error.description
        case .unreadable(let path, let reason): "cannot read report file \(path): \(reason)"
        }
    }
}

/// Keeps every case: what `ReportParser.parse(_:format:)` builds its `ParsedReport` from.
public struct CollectingSink: ReportSink {
    public var cases: [ParsedCase] = []

    public init() {}

    public mutating func accept(_ testCase: ParsedCase) throws(ReportSinkError) { cases.append(testCase) }
}
