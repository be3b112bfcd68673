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

/// A scratch file written in chunks (an export streaming out of its writer).
public final class ScratchFileWriter {
    public let path: String
    public private(set) var size = 0
    private var descriptor: Int32

    public init(path: String) throws(ServiceError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unavailable("cannot create a scratch file: \(String(cString: strerror(errno)))") }
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard let base = chunk.baseAddress else { return }
        var written = 0
        while written < chunk.count {
            let n = Glibc.write(descriptor, base + written, chunk.count - written)
            guard n > 0 else { throw ServiceError.unavailable("cannot write a scratch file: \(String(cString: strerror(errno)))") }
            written += n
        }
        size += chunk.count
    }

    public func close() throws(ServiceError) {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        guard result == 0 else { throw .unavailable("cannot finish a scratch file: \(String(cString: strerror(errno)))") }
    }

    public func contents() throws(ServiceError) -> [UInt8] { try ScratchFile.read(path) }

    public func remove() { ScratchFile.remove(path) }
}
