#if canImport(Glibc)
    import Glibc
#endif

/// Files a handler writes for the length of one invocation (Lambda gives each instance /tmp).
enum ScratchFile {
    static func read(_ path: String) throws(ServiceError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unavailable("cannot read the downloaded report: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unavailable("cannot stat the downloaded report") }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + offset, size - offset) }
            guard n > 0 else { throw .unavailable("cannot read the downloaded report: \(String(cString: strerror(errno)))") }
            offset += n
        }
        return bytes
    }

    static func remove(_ path: String) { unlink(path) }
}

/// Where scratch files go: `TMPDIR` when set, else /tmp (Lambda's writable directory).
public enum ScratchDirectory {
    public static var path: String { Environment.string("TMPDIR") ?? "/tmp" }
}
