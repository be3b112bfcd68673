import CProcessSpawn
import Foundation

/// Starts handler processes the way Lambda does: a fresh environment, stdout and stderr into
/// the function's log pipe, default signal handling (the emulator ignores SIGPIPE, and ignored
/// signals would otherwise survive exec) and nothing else inherited.
enum ProcessLauncher {
    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    static func spawn(executable: String, arguments: [String] = [], environment: [String: String], outputDescriptor: Int32) throws -> pid_t
    {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = verdict_spawn(executable, argv, envp, outputDescriptor, &pid)
        guard result == 0 else {
            throw LaunchError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Blocks until `pid` exits and describes how, in the words Lambda uses.
    static func waitForExit(_ pid: pid_t) -> String {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return "exit status unknown" }
        }
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "signal: \(signalName(signal))"
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: return "killed"
        case SIGSEGV: return "segmentation fault"
        case SIGABRT: return "aborted"
        case SIGILL: return "illegal instruction"
        case SIGTERM: return "terminated"
        case SIGTRAP: return "trace/breakpoint trap"
        default: return "\(signal)"
        }
    }

    /// Peak resident memory of a running process, in MB, as Lambda's REPORT line shows it.
    static func peakMemoryMB(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { ($0 + 1023) / 1024 }
        }
        return nil
    }
}
