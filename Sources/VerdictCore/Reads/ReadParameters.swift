import VerdictDB

/// A run's lifecycle state, as `runs.status` stores it.
public enum RunStatus: String, Sendable, CaseIterable, PostgresTextDecodable {
    case running, completed, incomplete
}

/// A report's state, as `reports.status` stores it: its files are declared, then ingested.
public enum ReportStatus: String, Sendable, CaseIterable, PostgresTextDecodable {
    case registered, completed
}

/// A case's outcome, as `cases.status` stores it.
public enum CaseStatus: String, Sendable, CaseIterable, PostgresTextDecodable {
    case passed, failed, flaky, skipped, errored
}

/// Checks for the values read endpoints take from paths and query strings, each failing with
/// `.invalid` naming the parameter as the caller spelled it.
public enum ReadParameter {
    public static func uuid(_ text: String, field: String) throws(ServiceError) -> String {
        guard UUIDText.isValid(text) else { throw .invalid(field: field, reason: "must be a UUID") }
        return text.lowercased()
    }

    public static func runStatus(_ text: String, field: String = "status") throws(ServiceError) -> RunStatus {
        guard let status = RunStatus(rawValue: text) else {
            throw .invalid(field: field, reason: "must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    /// One status or a comma-separated list of them, e.g. `failed,flaky`; repeats are dropped.
    public static func caseStatuses(_ text: String, field: String = "status") throws(ServiceError) -> [CaseStatus] {
        var statuses: [CaseStatus] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let status = CaseStatus(rawValue: String(part).trimmed()) else {
                throw .invalid(
                    field: field,
                    reason: "'\(part)' is not a case status (expected a comma-separated list of "
                        + "\(CaseStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !statuses.contains(status) { statuses.append(status) }
        }
        return statuses
    }

    /// The start of a commit SHA: 1 to 64 hexadecimal digits, compared lower-case.
    public static func commitPrefix(_ text: String, field: String = "commit") throws(ServiceError) -> String {
        let lowered = text.lowercased()
        guard (1...64).contains(lowered.utf8.count), lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw .invalid(field: field, reason: "must be the start of a commit SHA: 1 to 64 hexadecimal digits")
        }
        return lowered
    }

    /// `text` as a pattern that ILIKE matches literally anywhere in a string: `%`, `_` and the
    /// escape character itself lose their wildcard meaning.
    public static func containsPattern(_ text: String) -> String {
        var pattern = "%"
        for character in text {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}
