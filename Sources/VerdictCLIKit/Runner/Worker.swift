import VerdictReports

#if canImport(Glibc)
    import Glibc
#endif

/// What a worker needs besides the API: who it is, what it runs and where its reports go.
public struct WorkerSettings: Sendable {
    public var runID: String
    public var worker: String
    /// `--label KEY=VALUE`: the worker takes only units whose labels it has.
    public var labels: [String: String] = [:]
    public var template: CommandTemplate
    public var format: ReportFormat?
    /// `--attachments DIR`: files below it that a batch's report refers to go up with the report.
    public var attachmentsDirectory: String?
    /// Off with `--no-upload`: results still go to the orchestrator, reports stay local.
    public var uploadReports: Bool
    /// The lease the run was begun with, for the heartbeat period when a deadline is unreadable.
    public var leaseSeconds: Int
    public var environment: Environment
    /// After SIGINT or SIGTERM is forwarded, how long the command has to exit before SIGKILL.
    public var gracePeriodSeconds: Double
    /// The longest wait for the command between checks. SIGCHLD ends a wait at once where it
    /// reaches the worker's thread; a process with other threads (a test runner) may take it
    /// elsewhere, and then this bounds the delay.
    public var pollSeconds: Double

    public init(
        runID: String, worker: String, template: CommandTemplate, format: ReportFormat?, attachmentsDirectory: String?,
        uploadReports: Bool, leaseSeconds: Int, environment: Environment, gracePeriodSeconds: Double = 10, pollSeconds: Double = 5
    ) {
        self.runID = runID
        self.worker = worker
        self.template = template
        self.format = format
        self.attachmentsDirectory = attachmentsDirectory
        self.uploadReports = uploadReports
        self.leaseSeconds = leaseSeconds
        self.environment = environment
        self.gracePeriodSeconds = gracePeriodSeconds
        self.pollSeconds = pollSeconds
    }
}

/// The worker loop of `verdict run`: check out a batch, run the command on it while
/// heartbeating, map its report to per-unit results, complete them, upload the report into the
/// run, and again until the orchestrator says done. A failing command never stops the loop;
/// SIGINT or SIGTERM is passed to the command, the lease is given back, and the worker exits.
public final class Worker {
    let orchestration: OrchestrationAPI
    let uploader: ReportUploader
    let signals: SignalInbox
    let settings: WorkerSettings
    private(set) var tally = Tally()

    public struct Tally: Sendable, Equatable {
        public var batches = 0
        public var counts: [UnitStatus: Int] = [:]
        public var late = 0

        public var failed: Bool { counts[.failed, default: 0] + counts[.errored, default: 0] > 0 }
    }

    public init(orchestration: OrchestrationAPI, uploader: ReportUploader, signals: SignalInbox, settings: WorkerSettings) {
        self.orchestration = orchestration
        self.uploader = uploader
        self.signals = signals
        self.settings = settings
    }

    /// Runs until done and answers the exit status (see `ExitStatus`).
    public func run() -> Int32 {
        while true {
            if signals.terminationRequested() { return stopped() }
            let checkout: Checkout
            do {
                checkout = try orchestration.checkout(runID: settings.runID, worker: settings.worker, labels: settings.labels)
            } catch {
                if error.kind == .interrupted { return stopped() }
                Console.note("checkout failed: \(error)")
                return ExitStatus.api
            }
            switch checkout {
            case .done:
                Console.note(summary())
                return tally.failed ? ExitStatus.testsFailed : ExitStatus.success
            case .wait(let milliseconds):
                guard signals.sleep(Double(milliseconds) / 1000) else { return stopped() }
            case .lease(let lease):
                if signals.terminationRequested() {
                    release(lease)
                    return stopped()
                }
                tally.batches += 1
                guard runBatch(lease, number: tally.batches) else { return stopped() }
            }
        }
    }

    /// One batch, start to upload; false when a termination signal cut it short.
    private func runBatch(_ lease: Lease, number batch: Int) -> Bool {
        let units = lease.units.map(\.id)
        let reportPath = settings.template.reportPath(worker: settings.worker, batch: batch)
        // A report left by an earlier batch must never pass for this one's.
        if let reportPath { try? FileSystem.remove(reportPath) }
        let retests = lease.units.filter(\.retest).count
        Console.note("batch \(batch): \(units.count) unit\(units.count == 1 ? "" : "s")" + (retests > 0 ? " (\(retests) retest)" : ""))
        let started = Clock.monotonic()
        let exit: ChildExit
        switch execute(settings.template.argv(units: units, worker: settings.worker, batch: batch), lease: lease, batch: batch) {
        case .interrupted: return false
        case .failedToStart(let reason):
            Console.note(reason)
            exit = .exited(127)
        case .exited(let status): exit = status
        case .leaseEnded(let reason):
            // The units are someone else's now, or the run was cancelled: nothing to report.
            Console.note("batch \(batch): stopped, the orchestrator ended its lease (\(reason))")
            return true
        }
        let wallMs = Int((Clock.monotonic() - started) * 1000)
        let reading = read(reportPath)
        let results = UnitResults.map(units: units, exit: exit, wallMs: wallMs, report: reading)
        for result in results { tally.counts[result.status, default: 0] += 1 }
        do {
            let completion = try orchestration.complete(runID: settings.runID, worker: settings.worker, leaseID: lease.id, results: results)
            tally.late += completion.late
            if completion.late > 0 {
                Console.note(
                    "batch \(batch): \(completion.late) result(s) arrived after the lease ran out; the orchestrator decides whether they count"
                )
            }
        } catch {
            Console.note("batch \(batch): completing the results failed: \(error)")
        }
        Console.note("batch \(batch): \(Self.describe(results)), \(exit), \(APIClient.seconds(Double(wallMs) / 1000))")
        if settings.uploadReports, let reportPath, FileSystem.kind(of: reportPath) == .file {
            upload(reportPath, batch: batch)
        }
        return true
    }

    enum Execution {
        case exited(ChildExit)
        case failedToStart(String)
        case interrupted
        /// A heartbeat found the lease over (it ran out and went to another worker, or the run
        /// was cancelled); the command was stopped.
        case leaseEnded(String)
    }

    /// Runs the command, heartbeating every half lease, and waits for it.
    private func execute(_ argv: [String], lease: Lease, batch: Int) -> Execution {
        var extra = [("VERDICT_RUN_ID", settings.runID), ("VERDICT_WORKER", settings.worker), ("VERDICT_BATCH", String(batch))]
        if let report = settings.template.reportPath(worker: settings.worker, batch: batch) { extra.append(("VERDICT_REPORT", report)) }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(
                argv, environment: settings.environment.entries(overriding: extra), path: settings.environment["PATH"])
        } catch {
            return .failedToStart(error.description)
        }
        var deadline = lease.deadline
        var nextBeat = Clock.monotonic() + heartbeatPeriod(deadline)
        while true {
            if let exit = ChildProcess.poll(pid) { return .exited(exit) }
            if signals.termination != nil {
                stop(pid, lease: lease)
                return .interrupted
            }
            let now = Clock.monotonic()
            if now >= nextBeat {
                do {
                    deadline = try orchestration.heartbeat(runID: settings.runID, worker: settings.worker, leaseID: lease.id) ?? deadline
                } catch  where error.code == "lease_ended" {
                    // Running on would only duplicate a worker that has the units now, or work
                    // for a run nobody wants any more.
                    terminate(pid, signal: SIGTERM)
                    return .leaseEnded(error.message)
                } catch {
                    // The command goes on: its results may still count (they come back `late`),
                    // and a heartbeat that failed for a moment may succeed next time.
                    Console.note("heartbeat failed: \(error)")
                }
                nextBeat = Clock.monotonic() + heartbeatPeriod(deadline)
                continue
            }
            // SIGCHLD or a termination signal ends the wait early.
            signals.wait(seconds: min(nextBeat - now, settings.pollSeconds))
        }
    }

    /// Half the time left on the lease (the server's deadline, else the lease length), at
    /// least a second.
    func heartbeatPeriod(_ deadline: Double?) -> Double {
        var period = Double(settings.leaseSeconds) / 2
        if let deadline { period = min(period, (deadline - Clock.wallSeconds()) / 2) }
        return max(1, period)
    }

    /// Passes the signal to the command's process group, gives the lease back, and waits for
    /// the command (a second signal, or the grace period running out, kills it).
    private func stop(_ pid: pid_t, lease: Lease) {
        let signal = signals.termination ?? SIGTERM
        Console.note("stopping: passing signal \(signal) to the command and giving the lease back")
        ChildProcess.signalGroup(pid, signal)
        let seen = signals.terminationCount
        release(lease)
        terminate(pid, signal: nil, signalsSeen: seen)
    }

    /// Signals the command's process group (unless already done) and waits for the command: a
    /// termination signal to the worker meanwhile, or the grace period running out, kills it.
    private func terminate(_ pid: pid_t, signal: Int32?, signalsSeen: Int? = nil) {
        if let signal { ChildProcess.signalGroup(pid, signal) }
        let seen = signalsSeen ?? signals.terminationCount
        let end = Clock.monotonic() + settings.gracePeriodSeconds
        while ChildProcess.poll(pid) == nil {
            if signals.terminationCount > seen || Clock.monotonic() >= end {
                ChildProcess.signalGroup(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            signals.wait(seconds: min(0.2, settings.pollSeconds))
        }
        // What the command left behind in its group (a shell's background job, a browser) would
        // outlive the batch; nothing of it is worth keeping.
        kill(-pid, SIGKILL)
    }

    private func release(_ lease: Lease) {
        do {
            try orchestration.release(runID: settings.runID, worker: settings.worker, leaseID: lease.id)
        } catch {
            Console.note("giving the lease back failed (its units return to the queue at its deadline): \(error)")
        }
    }

    private func read(_ reportPath: String?) -> ReportReading {
        guard let reportPath else { return .notRequested }
        guard FileSystem.kind(of: reportPath) == .file else { return .missing(path: reportPath) }
        var sink = CollectingSink()
        do {
            let summary = try ReportParser.parse(file: reportPath, format: settings.format, into: &sink)
            return .parsed(cases: sink.cases, runErrors: summary.runErrors)
        } catch {
            return .unreadable(path: reportPath, reason: error.description)
        }
    }

    /// The batch's report into the run, shard `<worker>.<batch>`, with the attachments it refers to.
    private func upload(_ reportPath: String, batch: Int) {
        do {
            let report = try UploadFile.prepare(path: reportPath, name: Self.fileName(reportPath), kind: .report)
            var attachments: [UploadFile] = []
            if let directory = settings.attachmentsDirectory, FileSystem.kind(of: directory) == .directory {
                let referenced = Attachments.referenced(
                    try Attachments.collect(directory), by: Attachments.paths(in: reportPath, format: settings.format))
                attachments = try referenced.map { candidate throws(FileError) in
                    try UploadFile.prepare(path: candidate.path, name: candidate.name, kind: .attachment)
                }.filter { $0.name != report.name }
            }
            let uploaded = try uploader.upload(
                runID: settings.runID, shard: Self.shardName(worker: settings.worker, batch: batch), format: settings.format?.rawValue,
                report: report,
                attachments: attachments, renameOnConflict: true)
            Console.note("batch \(batch): report uploaded, \(uploaded.line)")
        } catch {
            Console.note("batch \(batch): report not uploaded: \(error)")
        }
    }

    /// `<worker>.<batch>`, the worker's part cut so the whole stays within the API's 100
    /// characters for a shard.
    static func shardName(worker: String, batch: Int) -> String {
        let suffix = ".\(batch)"
        return String(worker.prefix(100 - suffix.count - 4)) + suffix
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? "report"
    }

    private func stopped() -> Int32 {
        Console.note("stopped after \(tally.batches) batch\(tally.batches == 1 ? "" : "es")")
        return ExitStatus.interrupted(by: signals.termination ?? SIGTERM)
    }

    func summary() -> String {
        let total = tally.counts.values.reduce(0, +)
        return "worker \(settings.worker) done: \(tally.batches) batch\(tally.batches == 1 ? "" : "es"), \(total) unit results"
            + (total > 0 ? " (\(Self.describe(tally.counts)))" : "")
    }

    static func describe(_ results: [UnitResult]) -> String {
        var counts: [UnitStatus: Int] = [:]
        for result in results { counts[result.status, default: 0] += 1 }
        return describe(counts)
    }

    static func describe(_ counts: [UnitStatus: Int]) -> String {
        let order: [UnitStatus] = [.passed, .failed, .errored, .skipped]
        let parts = order.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
        return parts.isEmpty ? "no results" : parts.joined(separator: ", ")
    }
}
