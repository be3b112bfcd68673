import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SAMTemplate
import VerdictJSON

/// How an invocation ended, as the caller needs to know it.
enum InvocationOutcome: Sendable {
    case success([UInt8])
    /// The handler reported an error through the Runtime API; `body` is its JSON.
    case functionError(type: String, body: [UInt8])
    case timedOut(seconds: Int)
    /// The process died mid-invocation.
    case crashed(String)
    /// The runtime could not start (init error, missing executable).
    case initFailed(String)
    case responseTooLarge(Int)
}

/// One request for a function, waiting for or being served by a handler process.
final class Invocation: @unchecked Sendable {
    let requestID: String
    let payload: [UInt8]
    let clientContext: String?
    let traceID: String
    let completion: @Sendable (InvocationOutcome) -> Void
    var deadlineMilliseconds: Int64 = 0
    var startedAt: UInt64 = 0
    var timer: Scheduled<Void>?

    init(requestID: String, payload: [UInt8], clientContext: String? = nil, completion: @escaping @Sendable (InvocationOutcome) -> Void) {
        self.requestID = requestID
        self.payload = payload
        self.clientContext = clientContext
        self.traceID = TraceID.make()
        self.completion = completion
    }
}

/// A handler process and the Runtime API endpoint that only it talks to.
final class Worker: @unchecked Sendable {
    enum State {
        case starting
        /// Waiting in `next`; `parked` answers that call when work arrives.
        case idle(parked: Responder, since: UInt64)
        /// Between a response post and the next `next` call.
        case settling
        case busy(Invocation)
        /// Killed or exited; only its exit is still to be seen.
        case dying
    }

    let id: Int
    var spawnedAt = Monotonic.now()
    var pid: pid_t = 0
    var state: State = .starting
    var server: Channel?
    var initDurationMilliseconds: Double?
    var initDurationReported = false
    var initError: String?

    init(id: Int) { self.id = id }
}

/// The warm pool of one function: grows on demand up to its concurrency limit, queues what it
/// cannot serve yet, shrinks when idle, replaces processes that crash or time out.
final class FunctionPool: @unchecked Sendable {
    let definition: FunctionDefinition
    let settings: EmulatorSettings
    let group: EventLoopGroup
    let logPipe: LogPipe
    let maxConcurrency: Int

    private let lock = NIOLock()
    private var workers: [Int: Worker] = [:]
    private var queue = CircularBuffer<Invocation>()
    private var nextWorkerID = 0
    private var stopped = false
    private(set) var coldStarts = 0
    private(set) var invocations = 0

    init(definition: FunctionDefinition, settings: EmulatorSettings, group: EventLoopGroup) throws {
        self.definition = definition
        self.settings = settings
        self.group = group
        self.logPipe = try LogPipe(prefix: definition.logicalID)
        self.maxConcurrency = max(1, definition.reservedConcurrency ?? settings.defaultConcurrency)
    }

    var name: String { definition.logicalID }

    /// Queues an invocation; it is served as soon as a process is free.
    func submit(_ invocation: Invocation) {
        let rejected: Bool = lock.withLock {
            if stopped { return true }
            queue.append(invocation)
            invocations += 1
            return false
        }
        if rejected {
            invocation.completion(.initFailed("the emulator is shutting down"))
            return
        }
        pump()
    }

    struct Stats {
        var workers: Int
        var idle: Int
        var busy: Int
        var queued: Int
        var coldStarts: Int
        var invocations: Int
    }

    var stats: Stats {
        lock.withLock {
            var idle = 0
            var busy = 0
            for worker in workers.values {
                switch worker.state {
                case .idle: idle += 1
                case .busy: busy += 1
                default: break
                }
            }
            return Stats(
                workers: workers.count, idle: idle, busy: busy, queued: queue.count, coldStarts: coldStarts, invocations: invocations)
        }
    }

    // MARK: Dispatch

    /// Matches queued invocations with parked workers, and starts processes for the rest.
    private func pump() {
        var dispatches: [(Worker, Responder, Invocation)] = []
        var spawns: [Worker] = []
        lock.withLock {
            guard !stopped else { return }
            for worker in workers.values where !queue.isEmpty {
                if case .idle(let parked, _) = worker.state {
                    let invocation = queue.removeFirst()
                    worker.state = .busy(invocation)
                    dispatches.append((worker, parked, invocation))
                }
            }
            let starting = workers.values.filter { if case .starting = $0.state { return true } else { return false } }.count
            var needed = queue.count - starting
            while needed > 0 && workers.count < maxConcurrency {
                let worker = Worker(id: nextWorkerID)
                nextWorkerID += 1
                workers[worker.id] = worker
                coldStarts += 1
                spawns.append(worker)
                needed -= 1
            }
        }
        for (worker, parked, invocation) in dispatches { deliver(invocation, to: worker, via: parked) }
        for worker in spawns { start(worker) }
    }

    private func deliver(_ invocation: Invocation, to worker: Worker, via responder: Responder) {
        let timeout = definition.timeoutSeconds
        invocation.startedAt = Monotonic.now()
        invocation.deadlineMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout) * 1000
        invocation.timer = responder.channel.eventLoop.scheduleTask(in: .seconds(Int64(timeout))) { [weak self] in
            self?.timeOut(invocation, on: worker)
        }
        var headers: [(String, String)] = [
            ("content-type", "application/json"),
            ("lambda-runtime-aws-request-id", invocation.requestID),
            ("lambda-runtime-deadline-ms", String(invocation.deadlineMilliseconds)),
            ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:\(settings.region):000000000000:function:\(definition.functionName)"),
            ("lambda-runtime-trace-id", invocation.traceID),
        ]
        if let clientContext = invocation.clientContext { headers.append(("lambda-runtime-client-context", clientContext)) }
        responder.send(ServerResponse(status: .ok, headers: headers, body: ByteBuffer(bytes: invocation.payload)))
    }

    private func start(_ worker: Worker) {
        guard let executable = settings.executable(for: definition) else {
            let reason =
                "no executable for \(definition.logicalID): neither \(definition.codeURI)/bootstrap nor \(settings.buildDirectory)/\(definition.executableName) exists (run `make build`)"
            Console.line("[\(name)] \(reason)")
            failStart(worker, reason: reason)
            return
        }
        RuntimeAPIServer.bind(group: group, pool: self, worker: worker).whenComplete { [self] result in
            switch result {
            case .failure(let error):
                failStart(worker, reason: "cannot open a Runtime API endpoint: \(error)")
            case .success(let channel):
                launch(worker, executable: executable, runtimeAPI: channel)
            }
        }
    }

    private func launch(_ worker: Worker, executable: String, runtimeAPI channel: Channel) {
        var environment = settings.baseEnvironment
        for (key, value) in definition.environment { environment[key] = value }
        environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(channel.localAddress?.port ?? 0)"
        environment["AWS_LAMBDA_FUNCTION_NAME"] = definition.functionName
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = String(definition.memoryMB)
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
        environment["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/\(definition.functionName)"
        environment["_HANDLER"] = definition.handler
        environment["LAMBDA_TASK_ROOT"] = settings.resolve(definition.codeURI)
        // Object storage: VERDICT_S3_ENDPOINT and its credentials (LocalS3Environment.swift).
        for (key, value) in LocalS3Environment.shared.variables { environment[key] = value }
        // The @connections API (WebSocketEnvironment.swift), over the template's AWS URL.
        for (key, value) in WebSocketEnvironment.shared.variables { environment[key] = value }
        lock.withLock { worker.server = channel }
        do {
            worker.spawnedAt = Monotonic.now()
            let pid = try ProcessLauncher.spawn(executable: executable, environment: environment, outputDescriptor: logPipe.writeDescriptor)
            lock.withLock { worker.pid = pid }
            Thread.detachNewThread { [weak self] in
                let how = ProcessLauncher.waitForExit(pid)
                self?.exited(worker, how: how)
            }
        } catch {
            Console.line("[\(name)] \(error)")
            failStart(worker, reason: "\(error)")
        }
    }

    /// A process that never got to serve takes the queue down with it: retrying the same start
    /// for every queued request would only repeat the failure.
    private func failStart(_ worker: Worker, reason: String) {
        let failed: [Invocation] = lock.withLock {
            workers[worker.id] = nil
            let healthy = workers.values.contains { $0.initDurationMilliseconds != nil }
            guard !healthy else { return [] }
            let waiting = Array(queue)
            queue.removeAll()
            return waiting
        }
        worker.server?.close(promise: nil)
        for invocation in failed { invocation.completion(.initFailed(reason)) }
    }

    // MARK: Runtime API events (called by RuntimeAPIServer)

    func next(from worker: Worker, responder: Responder) {
        enum Action {
            case park
            case reject
            /// The runtime asked for more work without answering what it had.
            case abandon(Invocation)
        }
        let action: Action = lock.withLock {
            let parked = Worker.State.idle(parked: responder, since: Monotonic.now())
            switch worker.state {
            case .starting:
                worker.initDurationMilliseconds = Monotonic.milliseconds(since: worker.spawnedAt)
                worker.state = parked
                return .park
            case .settling:
                worker.state = parked
                return .park
            case .busy(let invocation):
                worker.state = parked
                return .abandon(invocation)
            case .idle, .dying:
                return .reject
            }
        }
        switch action {
        case .park:
            pump()
        case .abandon(let invocation):
            invocation.timer?.cancel()
            let body: JSON = [
                "errorMessage": "the runtime asked for the next invocation without answering this one", "errorType": "Runtime.InvalidState",
            ]
            finish(invocation, on: worker, outcome: .functionError(type: "Runtime.InvalidState", body: body.serialized()))
            pump()
        case .reject:
            responder.send(
                RuntimeAPIServer.errorBody(.forbidden, type: "InvalidState", message: "next is not expected from this runtime now"))
        }
    }

    func respond(from worker: Worker, requestID: String, outcome: InvocationOutcome) -> Bool {
        let invocation: Invocation? = lock.withLock {
            guard case .busy(let invocation) = worker.state, invocation.requestID == requestID else { return nil }
            worker.state = .settling
            return invocation
        }
        guard let invocation else { return false }
        invocation.timer?.cancel()
        finish(invocation, on: worker, outcome: outcome)
        return true
    }

    func initError(from worker: Worker, message: String) {
        lock.withLock { worker.initError = message }
    }

    // MARK: Ends

    private func timeOut(_ invocation: Invocation, on worker: Worker) {
        let pid: pid_t? = lock.withLock {
            guard case .busy(let current) = worker.state, current === invocation else { return nil }
            worker.state = .dying
            return worker.pid
        }
        guard let pid else { return }
        kill(pid, SIGKILL)
        finish(invocation, on: worker, outcome: .timedOut(seconds: definition.timeoutSeconds))
    }

    private func exited(_ worker: Worker, how: String) {
        let (busy, initError, everServed): (Invocation?, String?, Bool) = lock.withLock {
            workers[worker.id] = nil
            var busy: Invocation?
            if case .busy(let invocation) = worker.state { busy = invocation }
            let everServed = worker.initDurationMilliseconds != nil
            worker.state = .dying
            return (busy, worker.initError, everServed)
        }
        worker.server?.close(promise: nil)
        if let busy {
            busy.timer?.cancel()
            finish(busy, on: worker, outcome: .crashed("Runtime exited with error: \(how)"))
        }
        if !everServed, !lock.withLock({ stopped }) {
            failStart(
                worker,
                reason: initError.map { "the function failed to initialize: \($0)" } ?? "the runtime exited before asking for work (\(how))"
            )
        }
        pump()
    }

    private func finish(_ invocation: Invocation, on worker: Worker, outcome: InvocationOutcome) {
        let duration = Monotonic.milliseconds(since: invocation.startedAt)
        let initDuration: Double? = lock.withLock {
            guard !worker.initDurationReported, let value = worker.initDurationMilliseconds else { return nil }
            worker.initDurationReported = true
            return value
        }
        if settings.logReports {
            var report =
                "REPORT RequestId: \(invocation.requestID) Function: \(name) Duration: \(Format.ms(duration)) ms Billed Duration: \(Int(duration.rounded(.up))) ms Memory Size: \(definition.memoryMB) MB"
            if settings.reportMemory, worker.pid > 0, let peak = ProcessLauncher.peakMemoryMB(worker.pid) {
                report += " Max Memory Used: \(peak) MB"
            }
            if let initDuration { report += " Init Duration: \(Format.ms(initDuration)) ms" }
            switch outcome {
            case .timedOut(let seconds): report += " Status: timeout after \(seconds) s"
            case .crashed(let why): report += " Status: error (\(why))"
            default: break
            }
            Console.line(report)
        }
        invocation.completion(outcome)
    }

    /// Stops processes idle for longer than the idle timeout.
    func shrink() {
        let cutoff = Monotonic.now() &- UInt64(settings.idleTimeoutSeconds * 1_000_000_000)
        let victims: [pid_t] = lock.withLock {
            var pids: [pid_t] = []
            for worker in workers.values {
                if case .idle(_, let since) = worker.state, since < cutoff, worker.pid > 0 {
                    worker.state = .dying
                    pids.append(worker.pid)
                }
            }
            return pids
        }
        for pid in victims { kill(pid, SIGKILL) }
    }

    /// Kills every process and fails what is still queued.
    func stop() -> [pid_t] {
        let (pids, waiting): ([pid_t], [Invocation]) = lock.withLock {
            stopped = true
            let waiting = Array(queue)
            queue.removeAll()
            return (workers.values.map(\.pid).filter { $0 > 0 }, waiting)
        }
        for pid in pids { kill(pid, SIGKILL) }
        for invocation in waiting { invocation.completion(.initFailed("the emulator is shutting down")) }
        return pids
    }
}

enum Monotonic {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func milliseconds(since start: UInt64) -> Double {
        Double(now() &- start) / 1_000_000
    }
}

enum Format {
    static func ms(_ value: Double) -> String { String(format: "%.2f", value) }
}

enum TraceID {
    /// X-Ray's format: Root=1-<epoch seconds hex>-<96-bit random hex>;Parent=…;Sampled=0.
    static func make() -> String {
        let seconds = String(Int(Date().timeIntervalSince1970), radix: 16)
        let root = (0..<24).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        let parent = (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        return "Root=1-\(seconds)-\(root);Parent=\(parent);Sampled=0"
    }
}
