#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A report on disk, read in chunks so the whole file is never in memory. Rewindable: format
/// detection looks at the start first, and the JSON formats take two passes.
final class ReportFile {
    let path: String
    let descriptor: Int32

    init(path: String) throws(ReportStreamError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: ReportFile.lastError()) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Reads up to `count` bytes at the current position; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(ReportStreamError) -> Int {
        while true {
            let got = Glibc.read(descriptor, buffer, count)
            if got >= 0 { return got }
            if errno != EINTR { throw .unreadable(path: path, reason: ReportFile.lastError()) }
        }
    }

    func rewind() throws(ReportStreamError) {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw .unreadable(path: path, reason: ReportFile.lastError()) }
    }

    /// The first bytes of the file: at least `minimum` of them unless the file is shorter.
    /// `isWholeFile` tells whether they are all there is.
    func prefix(_ minimum: Int) throws(ReportStreamError) -> (bytes: [UInt8], isWholeFile: Bool) {
        try rewind()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: minimum, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < minimum {
            let got = try read(into: buffer.baseAddress! + filled, count: minimum - filled)
            if got == 0 { return (Array(buffer[..<filled]), true) }
            filled += got
        }
        return (Array(buffer), false)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
