import CProcessSpawn
import CommandRunner

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended.
public enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }

    init(status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Starting and watching the processes the CLI runs: the test command, and `git` for the
/// identity fallback.
public enum ChildProcess {
    /// The executable `name` stands for: itself when it holds a `/`, else the first match on
    /// `PATH`, as a shell would find it.
    public static func resolve(_ name: String, path: String?) -> String? {
        if name.utf8.contains(UInt8(ascii: "/")) { return access(name, X_OK) == 0 ? name : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileSystem.kind(of: candidate) == .file, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Starts `arguments` (no shell: each element is one argv entry) in its own process group,
    /// with stdout and stderr shared with the CLI's.
    public static func spawn(_ arguments: [String], environment: [String], path: String?) throws(SpawnError) -> pid_t {
        guard let program = arguments.first else { throw SpawnError(description: "no command to run") }
        guard let executable = resolve(program, path: path) else {
            throw SpawnError(description: "\(program): command not found")
        }
        return try withCStrings(arguments) { argv throws(SpawnError) in
            try withCStrings(environment) { envp throws(SpawnError) in
                var pid: pid_t = 0
                let result = verdict_spawn_inheriting_output(executable, argv, envp, &pid)
                guard result == 0 else { throw SpawnError(description: "cannot start \(program): \(String(cString: strerror(result)))") }
                return pid
            }
        }
    }

    /// The child's exit, if it has ended; never blocks.
    public static func poll(_ pid: pid_t) -> ChildExit? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return ChildExit(status: status) }
            if result < 0, errno == EINTR { continue }
            // 0: still running. -1 (ECHILD) cannot happen for a child not yet reaped.
            return nil
        }
    }

    /// Sends `signal` to the child's whole process group: `npx` and shells start grandchildren
    /// (the browsers of a Playwright run) that must stop too.
    public static func signalGroup(_ pid: pid_t, _ signal: Int32) {
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }

    /// Runs a short command to completion and returns the last line it printed, or nil when it
    /// cannot start or fails. `verdict_spawn` sends stdout and stderr into one pipe; a warning
    /// comes before the answer, so the answer is the last line.
    public static func lastLine(of arguments: [String], environment: [String], path: String?) -> String? {
        guard let program = arguments.first, let executable = resolve(program, path: path) else { return nil }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        // Single-threaded: no other spawn can inherit the ends between pipe and fcntl.
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t? = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                var pid: pid_t = 0
                return verdict_spawn(executable, argv, envp, pipeEnds[1], &pid) == 0 ? pid : nil
            }
        }
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard let pid else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard ChildExit(status: status).succeeded else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init)
    }
}
