/// What makes two uploads belong to the same run: one pipeline attempt of one project at one
/// commit. Absent parts are empty strings, so "no branch" matches "no branch".
public struct RunIdentity: Sendable, Equatable {
    public var project: String
    public var commit: String
    public var branch: String
    public var ciRunID: String
    public var ciRunAttempt: Int
    public var name: String

    /// Validates and normalizes the parts as the API receives them; `field` names in errors are
    /// the API's (`commit`, `ci_run_attempt`, …).
    public init(
        project: String?, commit: String?, branch: String?, ciRunID: String?, ciRunAttempt: String?, name: String?
    ) throws(ServiceError) {
        let project = try Self.bounded(project, field: "project", maximum: 200)
        guard !project.isEmpty else { throw .invalid(field: "project", reason: "is required") }
        self.project = project

        let commit = (commit ?? "").trimmed().lowercased()
        guard commit.isEmpty || (7...64).contains(commit.utf8.count) && commit.utf8.allSatisfy(Self.isHexDigit) else {
            throw .invalid(field: "commit", reason: "must be a commit SHA: 7 to 64 hexadecimal digits")
        }
        self.commit = commit

        self.branch = try Self.bounded(branch, field: "branch", maximum: 255)
        self.ciRunID = try Self.bounded(ciRunID, field: "ci_run_id", maximum: 200)
        self.name = try Self.bounded(name, field: "name", maximum: 200)

        if let attempt = ciRunAttempt?.trimmed(), !attempt.isEmpty {
            guard let value = Int(attempt), (1...100_000).contains(value) else {
                throw .invalid(field: "ci_run_attempt", reason: "must be a whole number from 1 to 100000")
            }
            self.ciRunAttempt = value
        } else {
            self.ciRunAttempt = 1
        }
    }

    private static func bounded(_ value: String?, field: String, maximum: Int) throws(ServiceError) -> String {
        try NameText.validate((value ?? "").trimmed(), field: field, maximum: maximum)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...102).contains(byte)
    }
}

/// Names and labels a caller gives (projects, branches, shards, keys): bounded, and free of
/// control characters, which PostgreSQL's text cannot hold (a NUL would cut the value short
/// on its way there) and no person means to type.
public enum NameText {
    public static func validate(_ text: String, field: String, maximum: Int) throws(ServiceError) -> String {
        // Counted in code points, as PostgreSQL's length() and JSON Schema's maxLength count:
        // a grapheme count lets combining marks past the column's CHECK.
        guard text.unicodeScalars.count <= maximum else {
            throw .invalid(field: field, reason: "must be at most \(maximum) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid(field: field, reason: "must not contain control characters")
        }
        return text
    }
}

/// Limits on what a run is made of.
public enum ShardName {
    public static func validate(_ shard: String?, default fallback: String? = nil) throws(ServiceError) -> String {
        guard let shard = shard?.trimmed(), !shard.isEmpty else {
            if let fallback { return fallback }
            throw .invalid(field: "shard", reason: "is required")
        }
        return try NameText.validate(shard, field: "shard", maximum: 100)
    }
}

public enum ExpectedReports {
    public static let maximum = 10_000

    public static func validate(_ value: Int64?, field: String = "total_reports_expected") throws(ServiceError) -> Int? {
        guard let value else { return nil }
        guard (1...Int64(maximum)).contains(value) else {
            throw .invalid(field: field, reason: "must be a whole number from 1 to \(maximum)")
        }
        return Int(value)
    }
}
