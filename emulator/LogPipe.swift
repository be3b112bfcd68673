import Foundation

/// Collects a function's stdout and stderr (all of its processes share one pipe) and echoes
/// each line prefixed with the function's name, the way CloudWatch groups them per function.
final class LogPipe: @unchecked Sendable {
    let writeDescriptor: Int32
    private let readDescriptor: Int32

    init(prefix: String) throws {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            throw ProcessLauncher.LaunchError(description: "cannot create a log pipe: \(String(cString: strerror(errno)))")
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
        // The read end must not leak into handler processes, or the pipe never reports EOF.
        _ = fcntl(readDescriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeDescriptor, F_SETFD, FD_CLOEXEC)
        let reader = readDescriptor
        Thread.detachNewThread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    Console.line("[\(prefix)] \(line)")
                }
            }
        }
    }
}
