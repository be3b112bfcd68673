/// A case that passed in its one run and has nothing to say beyond its names, place, duration
/// and the tool's word for passing: most cases of most runs. Readers of stored runs hand these
/// out instead of a `ParsedCase`, whose attempts, lists and full title cost allocations and
/// reference counting that a run of 100,000 such cases would pay for nothing.
/// `ParsedCase(plain)` is the same case in full.
public struct PlainCase: Sendable, Equatable {
    // Declared in another order than the public initializer's parameters, so that the
    // memberwise initializer it hands them to is a different one (see ParsedCase's).
    public var title: String
    public var classname: String?
    public var file: String?
    public var line: Int?
    public var suitePath: [String]
    public var rawStatus: String
    public var durationMs: Double?
}

extension PlainCase {
    public init(
        suitePath: [String], file: String? = nil, line: Int? = nil, title: String, classname: String? = nil, rawStatus: String,
        durationMs: Double? = nil
    ) {
        self.init(
            title: title, classname: classname, file: file, line: line, suitePath: suitePath, rawStatus: rawStatus,
            durationMs: durationMs)
    }
}

/// A case as a reader of stored runs hands it out: plain when it can be, in full otherwise.
public enum CaseRecord: Sendable, Equatable {
    case plain(PlainCase)
    case full(ParsedCase)

    public var status: TestStatus {
        switch self {
        case .plain: .passed
        case .full(let testCase): testCase.status
        }
    }

    public var file: String? {
        switch self {
        case .plain(let plain): plain.file
        case .full(let testCase): testCase.file
        }
    }
}

extension ParsedCase {
    /// The plain case in full: passed, one run as long as the case, the derived full title.
    public init(_ plain: PlainCase) {
        self.init(
            passed: plain.title, classname: plain.classname, file: plain.file, line: plain.line, rawStatus: plain.rawStatus,
            suitePath: plain.suitePath, durationMs: plain.durationMs,
            attempts: [ParsedAttempt(index: 0, status: .passed, durationMs: plain.durationMs)])
    }

    public init(_ record: CaseRecord) {
        switch record {
        case .plain(let plain): self.init(plain)
        case .full(let testCase): self = testCase
        }
    }
}
