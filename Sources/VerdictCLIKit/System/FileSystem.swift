import VerdictCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// A file the CLI could not read or write, with the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, errno code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(path): \(reason)" }
}

/// The few file operations the CLI needs, over the C library (the CLI stays Foundation-free to
/// keep its static binary small).
public enum FileSystem {
    public enum Kind: Sendable, Equatable { case file, directory, other }

    public static func kind(of path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    public static func size(of path: String) throws(FileError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileError(path: path, errno: errno) }
        return Int(info.st_size)
    }

    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Reads all of standard input (`--units-from -`).
    public static func readStandardInput() throws(FileError) -> [UInt8] {
        try read("/dev/stdin")
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(descriptor) }
        try writeAll(bytes, to: descriptor, path: path)
    }

    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws(FileError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, errno: errno)
            }
            offset += written
        }
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(FileError) {
        // withUnsafeBytes rethrows untyped errors; the failure is carried out by hand.
        var failure: FileError?
        bytes.withUnsafeBytes { buffer in
            do throws(FileError) { try writeAll(buffer, to: descriptor, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Removes a file; one that is not there is no error.
    public static func remove(_ path: String) throws(FileError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw FileError(path: path, errno: errno) }
    }

    /// The entries of a directory (without `.` and `..`), sorted by name so that every walk, on
    /// every worker, sees the same order.
    public static func entries(of directory: String) throws(FileError) -> [(name: String, kind: Kind?)] {
        guard let handle = opendir(directory) else { throw FileError(path: directory, errno: errno) }
        defer { closedir(handle) }
        var result: [(name: String, kind: Kind?)] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let kind: Kind?
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            // A symbolic link (or a file system without d_type) is followed for files only:
            // following directory links could walk in circles.
            default:
                let resolved = self.kind(of: directory == "." ? name : directory + "/" + name)
                kind = resolved == .directory ? .other : resolved
            }
            result.append((name, kind))
        }
        return result.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// SHA-256 (hex) and size of a file, hashed through a read-only mapping so that a large
    /// video is never copied into memory.
    public static func sha256(of path: String) throws(FileError) -> (hex: String, size: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError(path: path, errno: errno) }
        let size = Int(info.st_size)
        var digest = [UInt8](repeating: 0, count: 32)
        if size == 0 {
            digest.withUnsafeMutableBytes { Crypto.sha256(UnsafeRawBufferPointer(start: nil, count: 0), into: $0) }
            return (Crypto.hex(digest), 0)
        }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            throw FileError(path: path, errno: errno)
        }
        defer { munmap(mapping, size) }
        digest.withUnsafeMutableBytes { Crypto.sha256(UnsafeRawBufferPointer(start: mapping, count: size), into: $0) }
        return (Crypto.hex(digest), size)
    }
}
