import VerdictJSON

/// What `GET /api/v1/runs/{id}/cases` may be narrowed by; nil means no condition.
public struct CaseFilter: Sendable, Equatable {
    public var statuses: [CaseStatus]?
    /// Case-insensitive substring of the full title, matched literally.
    public var titleContains: String?
    public var reportID: ReportID?
    public var testID: TestID?

    public init(statuses: [CaseStatus]? = nil, titleContains: String? = nil, reportID: ReportID? = nil, testID: TestID? = nil) {
        self.statuses = statuses
        self.titleContains = titleContains
        self.reportID = reportID
        self.testID = testID
    }
}

/// A case as lists show it.
public struct CaseSummary: Sendable {
    public var id: CaseID
    public var testID: TestID
    public var reportID: ReportID
    public var suiteID: SuiteID?
    public var title: String
    public var fullTitle: String
    public var suitePath: [String]
    public var file: String?
    public var line: Int?
    /// The tool's project (a Playwright project, a Jest display name), not Verdict's project.
    public var project: String?
    public var status: CaseStatus
    public var rawStatus: String
    public var durationMilliseconds: Double?
    public var attemptCount: Int
    public var errorMessage: String?
    public var tags: [String]
}

public struct AttemptRecord: Sendable {
    public var attempt: Int
    public var status: CaseStatus
    public var durationMilliseconds: Double?
    public var startedAt: String?
    /// `[{"message","type","stack"}]`, as stored.
    public var errors: JSON
    public var stdout: String?
    public var stderr: String?
}

public struct AttachmentRecord: Sendable {
    public var id: AttachmentID
    public var name: String
    public var kind: String
    public var contentType: String?
    public var attempt: Int?
    /// Where the tool wrote the file on the CI machine.
    public var path: String?
    public var size: Int64?
    /// Whether the bytes are in object storage, so the attachment can be downloaded.
    public var isStored: Bool
}

public struct SuiteReference: Sendable {
    public var id: SuiteID
    public var name: String
    public var path: [String]
}

public struct CaseDetail: Sendable {
    public var summary: CaseSummary
    public var runID: RunID
    public var suite: SuiteReference?
    public var classname: String?
    public var skipReason: String?
    public var annotations: JSON
    public var properties: JSON
    public var createdAt: String
    /// Never empty: a case without stored attempts had one, which the case itself describes.
    public var attempts: [AttemptRecord]
    public var attachments: [AttachmentRecord]
}
