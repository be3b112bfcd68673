import CProcessSpawn

#if canImport(Glibc)
    import Glibc
#endif

/// How a piped command ended.
public enum CommandEnd: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    /// Still running at the deadline: it was killed, with everything it started.
    case timedOut

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out"
        }
    }
}

/// What a piped command printed, each stream cut at the limit it was run with.
public struct CommandOutput: Sendable {
    public var end: CommandEnd
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    /// It printed more on stdout than the limit (the rest was read and dropped).
    public var outputTruncated: Bool
}

public struct CommandStartFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Runs a shell command line with bytes on its stdin and its stdout and stderr read back, under
/// a deadline, from a single-threaded process (a Lambda handler): one poll loop feeds the input
/// and drains both outputs, so a command that prints before reading, or never reads, cannot
/// deadlock it on a full pipe.
public enum PipedCommand {
    public static func run(
        shell command: String, input: [UInt8], environment: [String], timeoutMilliseconds: Int, outputLimit: Int
    ) throws(CommandStartFailure) -> CommandOutput {
        // A command that exits without reading all of its input must not kill this process
        // with SIGPIPE; the write then fails with EPIPE, which ends the feeding.
        signal(SIGPIPE, SIG_IGN)
        let stdin = try makePipe(), stdout = try makePipe(), stderr = try makePipe()
        let arguments = ["/bin/sh", "-c", command]
        let spawned: Int32 = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                var pid: pid_t = 0
                let result = verdict_spawn_piped("/bin/sh", argv, envp, stdin.read, stdout.write, stderr.write, &pid)
                return result == 0 ? pid : -result
            }
        }
        for end in [stdin.read, stdout.write, stderr.write] { close(end) }
        guard spawned > 0 else {
            for end in [stdin.write, stdout.read, stderr.read] { close(end) }
            throw CommandStartFailure(description: "cannot start /bin/sh: \(String(cString: strerror(-spawned)))")
        }
        let pid = spawned
        _ = fcntl(stdin.write, F_SETFL, fcntl(stdin.write, F_GETFL) | O_NONBLOCK)

        let deadline = monotonicMilliseconds() + Int64(timeoutMilliseconds)
        var inputFD: Int32? = input.isEmpty ? nil : stdin.write
        if inputFD == nil { close(stdin.write) }
        var written = 0
        var output = Collected(limit: outputLimit), errors = Collected(limit: 4096)
        var outputFD: Int32? = stdout.read, errorFD: Int32? = stderr.read
        var timedOut = false
        while outputFD != nil || errorFD != nil {
            let remaining = deadline - monotonicMilliseconds()
            guard remaining > 0 else {
                timedOut = true
                break
            }
            var fds: [pollfd] = []
            if let inputFD { fds.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            if let outputFD { fds.append(pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)) }
            if let errorFD { fds.append(pollfd(fd: errorFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1000)))
            if ready < 0, errno != EINTR { break }
            guard ready > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inputFD {
                    let count = input.withUnsafeBytes { bytes in
                        write(entry.fd, bytes.baseAddress! + written, bytes.count - written)
                    }
                    if count > 0 { written += count }
                    if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                        close(entry.fd)
                        inputFD = nil
                    }
                } else if entry.fd == outputFD {
                    if !output.read(from: entry.fd) {
                        close(entry.fd)
                        outputFD = nil
                    }
                } else if entry.fd == errorFD {
                    if !errors.read(from: entry.fd) {
                        close(entry.fd)
                        errorFD = nil
                    }
                }
            }
        }
        for fd in [inputFD, outputFD, errorFD].compactMap({ $0 }) { close(fd) }

        // Both outputs are closed; the command may still be running (a background child holding
        // nothing open): it gets what is left of the deadline to exit.
        if timedOut { kill(-pid, SIGKILL) }
        var end: CommandEnd?
        while end == nil {
            var status: Int32 = 0
            let result = waitpid(pid, &status, timedOut ? 0 : WNOHANG)
            if result == pid {
                end = timedOut ? .timedOut : status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            } else if result < 0, errno != EINTR {
                end = .exited(-1)
            } else if result == 0, monotonicMilliseconds() >= deadline {
                timedOut = true
                kill(-pid, SIGKILL)
            } else if result == 0 {
                usleep(5_000)
            }
        }
        return CommandOutput(
            end: end!, standardOutput: output.bytes, standardError: errors.bytes, outputTruncated: output.truncated)
    }

    private struct Collected {
        var limit: Int
        var bytes: [UInt8] = []
        var truncated = false

        /// Reads what is there; false at end of file or on an error.
        mutating func read(from fd: Int32) -> Bool {
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return errno == EINTR || errno == EAGAIN }
            if count == 0 { return false }
            let room = max(0, limit - bytes.count)
            bytes.append(contentsOf: chunk[0..<min(count, room)])
            if count > room { truncated = true }
            return true
        }
    }

    private static func makePipe() throws(CommandStartFailure) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        // Close-on-exec: no other process this one starts may inherit an end and keep it open.
        guard verdict_pipe_cloexec(&ends) == 0 else {
            throw CommandStartFailure(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

/// `strings` as the NULL-terminated `char *[]` that argv and envp are, for the length of `body`.
public func withCStrings<R, E: Error>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws(E) -> R
) throws(E) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return try pointers.withUnsafeBufferPointer { buffer throws(E) in try body(buffer.baseAddress!) }
}
