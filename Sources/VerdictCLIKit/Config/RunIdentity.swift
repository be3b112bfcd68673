import VerdictJSON

/// What names a run on the server: the same six fields on every worker of a CI run make them
/// meet in one run (reports begin and orchestration begin both key on them).
public struct RunIdentity: Sendable, Equatable {
    public var project: String
    public var commit: String?
    public var branch: String?
    public var ciRunID: String?
    public var ciRunAttempt: String?
    public var name: String?

    public init(
        project: String, commit: String? = nil, branch: String? = nil, ciRunID: String? = nil, ciRunAttempt: String? = nil,
        name: String? = nil
    ) {
        self.project = project
        self.commit = commit
        self.branch = branch
        self.ciRunID = ciRunID
        self.ciRunAttempt = ciRunAttempt
        self.name = name
    }

    /// The identity's members of a begin request; absent values are left out.
    var fields: [(key: String, value: JSON)] {
        var fields: [(key: String, value: JSON)] = [("project", .string(project))]
        if let commit { fields.append(("commit", .string(commit))) }
        if let branch { fields.append(("branch", .string(branch))) }
        if let ciRunID { fields.append(("ci_run_id", .string(ciRunID))) }
        if let ciRunAttempt { fields.append(("ci_run_attempt", .string(ciRunAttempt))) }
        if let name { fields.append(("name", .string(name))) }
        return fields
    }
}

/// The identity flags as given (nil when absent).
public struct IdentityFlags: Sendable, Equatable {
    public var project: String?
    public var commit: String?
    public var branch: String?
    public var ciRunID: String?
    public var ciRunAttempt: String?
    public var name: String?

    public init(
        project: String? = nil, commit: String? = nil, branch: String? = nil, ciRunID: String? = nil, ciRunAttempt: String? = nil,
        name: String? = nil
    ) {
        self.project = project
        self.commit = commit
        self.branch = branch
        self.ciRunID = ciRunID
        self.ciRunAttempt = ciRunAttempt
        self.name = name
    }

    init(_ arguments: ParsedArguments) {
        self.init(
            project: arguments.value("project"), commit: arguments.value("commit"), branch: arguments.value("branch"),
            ciRunID: arguments.value("ci-run-id"), ciRunAttempt: arguments.value("ci-run-attempt"), name: arguments.value("name"))
    }
}

/// Fills a run identity from flags first, then `VERDICT_*` variables, then what GitHub Actions or
/// GitLab CI export, then git itself.
public enum IdentityResolver {
    /// - Parameter git: runs `git` with the given arguments and returns the last line it printed,
    ///   or nil (no git, no repository); only consulted for what nothing else said.
    public static func resolve(
        _ flags: IdentityFlags, environment env: Environment, git: ([String]) -> String?
    ) throws(UsageError) -> RunIdentity {
        guard let project = flags.project ?? env["VERDICT_PROJECT"] ?? env["GITHUB_REPOSITORY"] ?? env["CI_PROJECT_PATH"] else {
            throw UsageError("no project: give --project NAME or set VERDICT_PROJECT")
        }
        var commit: String?
        if let given = flags.commit ?? env["VERDICT_COMMIT"] {
            guard isCommitSHA(given) else { throw UsageError("--commit must be a SHA of 7 to 64 hexadecimal digits, not '\(given)'") }
            commit = given
        } else if let fromCI = env["GITHUB_SHA"] ?? env["CI_COMMIT_SHA"], isCommitSHA(fromCI) {
            commit = fromCI
        } else if let head = git(["rev-parse", "HEAD"]), isCommitSHA(head) {
            commit = head
        }
        // On a pull request GITHUB_REF_NAME is `123/merge`; the branch people know is the head.
        var branch = flags.branch ?? env["VERDICT_BRANCH"] ?? env["GITHUB_HEAD_REF"] ?? env["GITHUB_REF_NAME"] ?? env["CI_COMMIT_REF_NAME"]
        if branch == nil, let current = git(["rev-parse", "--abbrev-ref", "HEAD"]), current != "HEAD", !current.isEmpty {
            branch = current
        }
        let attempt = flags.ciRunAttempt ?? env["VERDICT_CI_RUN_ATTEMPT"] ?? env["GITHUB_RUN_ATTEMPT"]
        if let attempt, Int(attempt).map({ !(1...100_000).contains($0) }) ?? true {
            throw UsageError("--ci-run-attempt must be a whole number from 1 to 100000, not '\(attempt)'")
        }
        return RunIdentity(
            project: project, commit: commit, branch: branch,
            ciRunID: flags.ciRunID ?? env["VERDICT_CI_RUN_ID"] ?? env["GITHUB_RUN_ID"] ?? env["CI_PIPELINE_ID"],
            ciRunAttempt: attempt, name: flags.name ?? env["VERDICT_RUN_NAME"] ?? ciName(env))
    }

    /// The CI's name for the group of jobs that share a run: the workflow and job on GitHub (one
    /// job of a matrix, whatever its matrix values), the job on GitLab without the ` 3/8` that
    /// `parallel:` appends to each copy.
    static func ciName(_ env: Environment) -> String? {
        if let workflow = env["GITHUB_WORKFLOW"] {
            return env["GITHUB_JOB"].map { "\(workflow) / \($0)" } ?? workflow
        }
        guard let job = env["CI_JOB_NAME"] else { return nil }
        return stripParallelSuffix(job)
    }

    /// `rspec 3/8` → `rspec`: GitLab names each copy of a `parallel: 8` job that way.
    static func stripParallelSuffix(_ job: String) -> String {
        guard let space = job.lastIndex(of: " ") else { return job }
        let suffix = job[job.index(after: space)...]
        let parts = suffix.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Int(parts[0]) != nil, Int(parts[1]) != nil else { return job }
        return String(job[..<space])
    }

    static func isCommitSHA(_ text: String) -> Bool {
        (7...64).contains(text.utf8.count) && text.utf8.allSatisfy { HexDigit.value($0) != nil }
    }

    /// The worker's name, which must differ between the workers of one run (it names their
    /// leases and their reports' shards): `--worker`, `VERDICT_WORKER`, GitLab's node index of a
    /// `parallel:` job, else host and process id.
    public static func workerName(flag: String?, environment env: Environment, host: String, processID: Int32) -> String {
        if let name = flag ?? env["VERDICT_WORKER"] { return name }
        if let index = env["CI_NODE_INDEX"] { return "node-\(index)" }
        return "\(host)-\(processID)"
    }
}

/// `--shard 3/8` (the third of eight) or `--shard api` (a name alone).
public struct ShardSpec: Sendable, Equatable {
    public var name: String
    public var index: Int?
    public var total: Int?

    public init(name: String, index: Int? = nil, total: Int? = nil) {
        self.name = name
        self.index = index
        self.total = total
    }

    public static func parse(_ text: String) throws(UsageError) -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let index = Int(parts[0]), let total = Int(parts[1]) {
            guard total >= 1, (1...total).contains(index) else {
                throw UsageError("--shard \(text): the index must be from 1 to the total")
            }
            return ShardSpec(name: String(index), index: index, total: total)
        }
        guard !text.isEmpty, text.utf8.count <= 100, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw UsageError("--shard must be INDEX/TOTAL or a name of 1 to 100 characters, not '\(text)'")
        }
        return ShardSpec(name: text)
    }

    /// `--shard`, else GitLab's `CI_NODE_INDEX`/`CI_NODE_TOTAL` (set on `parallel:` jobs).
    public static func resolve(flag: String?, environment env: Environment) throws(UsageError) -> ShardSpec? {
        if let flag { return try parse(flag) }
        if let index = env["CI_NODE_INDEX"], let total = env["CI_NODE_TOTAL"] { return try parse("\(index)/\(total)") }
        return nil
    }
}
