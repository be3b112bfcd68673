import VerdictJSON

/// What `GET /api/v1/runs` may be narrowed by; nil means no condition.
public struct RunFilter: Sendable, Equatable {
    public var project: String?
    public var branch: String?
    public var status: RunStatus?
    /// RFC 3339, inclusive, on `created_at`.
    public var since: String?
    /// RFC 3339, exclusive, on `created_at`.
    public var until: String?
    /// The start of the commit SHA, lower-case hex.
    public var commitPrefix: String?
    /// The CI system's run id, exactly.
    public var ciRunID: String?
    /// One project by id (names repeat across teams).
    public var projectID: ProjectID?

    public init(
        project: String? = nil, branch: String? = nil, status: RunStatus? = nil, since: String? = nil, until: String? = nil,
        commitPrefix: String? = nil, ciRunID: String? = nil, projectID: ProjectID? = nil
    ) {
        self.projectID = projectID
        self.project = project
        self.branch = branch
        self.status = status
        self.since = since
        self.until = until
        self.commitPrefix = commitPrefix
        self.ciRunID = ciRunID
    }
}

/// A run as lists show it.
public struct RunSummary: Sendable {
    public var id: RunID
    public var projectID: ProjectID
    public var project: String
    /// The project's repository, where commits and CI runs can be linked.
    public var repositoryURL: String?
    public var commit: String
    public var branch: String
    public var ciRunID: String
    public var ciRunAttempt: Int
    public var name: String
    public var status: RunStatus
    public var totals: ResultTotals
    public var totalReportsExpected: Int
    public var reportsCompleted: Int
    public var createdAt: String
    public var startedAt: String?
    /// From the earliest report start to the latest report end, once both are known.
    public var durationMilliseconds: Double?
    public var lastActivityAt: String
    public var completedAt: String?
    /// An orchestration owns the run: no count of reports completes it.
    public var orchestrated: Bool
}

/// One report of a run, without its cases.
public struct StoredReportSummary: Sendable {
    public var id: ReportID
    public var shard: String
    public var format: String?
    public var status: ReportStatus
    public var toolName: String?
    public var toolVersion: String?
    public var totals: ResultTotals
    public var durationMilliseconds: Double?
    public var startedAt: String?
    public var completedAt: String?
    public var warningCount: Int
    /// Failures outside any test, as stored: `[{"message","type","stack"}]`.
    public var runErrors: JSON
}

public struct RunDetail: Sendable {
    public var run: RunSummary
    /// In shard order.
    public var reports: [StoredReportSummary]
}
