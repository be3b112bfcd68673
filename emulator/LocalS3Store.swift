import Foundation
import VerdictS3

#if canImport(Glibc)
    import Glibc
#endif

/// A failed local S3 request, as S3 would report it: HTTP status, error code, message and the
/// extra elements S3 puts in its `Error` document.
struct LocalS3Failure: Error {
    var status: Int
    var code: String
    var message: String
    var details: [(String, String)] = []
    /// Set when the request's signature was refused: rendered exactly as `S3Error` renders it.
    var authentication: S3Error?

    init(status: Int, code: String, message: String, details: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    init(_ error: S3Error) {
        self.init(status: error.httpStatus, code: error.code.rawValue, message: error.message)
        authentication = error
    }

    static func invalidArgument(_ message: String, name: String? = nil, value: String? = nil) -> LocalS3Failure {
        var details: [(String, String)] = []
        if let name { details.append(("ArgumentName", name)) }
        if let value { details.append(("ArgumentValue", value)) }
        return LocalS3Failure(status: 400, code: "InvalidArgument", message: message, details: details)
    }

    static func noSuchKey(_ key: String) -> LocalS3Failure {
        LocalS3Failure(status: 404, code: "NoSuchKey", message: "The specified key does not exist.", details: [("Key", key)])
    }

    static func noSuchBucket(_ bucket: String) -> LocalS3Failure {
        LocalS3Failure(status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist", details: [("BucketName", bucket)])
    }

    static let malformedXML = LocalS3Failure(
        status: 400, code: "MalformedXML",
        message: "The XML you provided was not well-formed or did not validate against our published schema.")

    static func notImplemented(_ message: String) -> LocalS3Failure {
        LocalS3Failure(status: 501, code: "NotImplemented", message: message)
    }

    static func internalError(_ message: String) -> LocalS3Failure {
        LocalS3Failure(status: 500, code: "InternalError", message: "We encountered an internal error: \(message)")
    }
}

/// Objects as plain files: `<root>/<bucket>/<key>`, so a developer can open an uploaded report
/// in an editor. What S3 keeps beside the bytes (Content-Type, ETag) lives in a mirror tree,
/// `<root>/.meta/<bucket>/<key>`; uploads in progress in `<root>/.uploads/`, on the same file
/// system so that finishing one is a rename. Keys map onto paths, so keys that would leave the
/// bucket's folder (`..`, absolute, NUL) or that the file system cannot hold are refused, and a
/// key cannot be both an object and a "folder" of other objects (`a` and `a/b`), unlike S3.
final class LocalS3Store: @unchecked Sendable {
    static let defaultContentType = "binary/octet-stream"
    static let maximumKeyBytes = 1024
    static let maximumSegmentBytes = 255

    let root: String
    let buckets: Set<String>
    /// Makes "bytes and their metadata" one unit for readers while a writer replaces both.
    private let lock = NSLock()

    struct Metadata: Codable {
        var contentType: String
        var etag: String
        var size: Int
    }

    struct Located {
        var bucket: String
        var key: String
        var dataPath: String
        var metaPath: String
    }

    init(root: String, buckets: Set<String>) throws {
        self.root = root
        self.buckets = buckets
        let manager = FileManager.default
        try manager.createDirectory(atPath: uploadsFolder, withIntermediateDirectories: true)
        for bucket in buckets {
            try manager.createDirectory(atPath: "\(root)/\(bucket)", withIntermediateDirectories: true)
            try manager.createDirectory(atPath: "\(root)/.meta/\(bucket)", withIntermediateDirectories: true)
        }
        // Uploads cut off by a previous stop are of no use to anyone.
        for leftover in (try? manager.contentsOfDirectory(atPath: uploadsFolder)) ?? [] {
            try? manager.removeItem(atPath: "\(uploadsFolder)/\(leftover)")
        }
    }

    var uploadsFolder: String { "\(root)/.uploads" }

    func requireBucket(_ bucket: String) throws(LocalS3Failure) {
        guard buckets.contains(bucket) else { throw .noSuchBucket(bucket) }
    }

    /// Where `key` lives, once it is known to stay inside the bucket's folder.
    func locate(bucket: String, key: String) throws(LocalS3Failure) -> Located {
        try requireBucket(bucket)
        let bytes = Array(key.utf8)
        guard bytes.count <= Self.maximumKeyBytes else {
            throw LocalS3Failure(
                status: 400, code: "KeyTooLongError", message: "Your key is too long",
                details: [("Size", String(bytes.count)), ("MaxSizeAllowed", String(Self.maximumKeyBytes))])
        }
        guard !bytes.contains(0) else { throw .invalidArgument("Object keys may not contain NUL.", name: "key", value: key) }
        guard !key.hasPrefix("/") else {
            throw .invalidArgument("The local S3 store keeps keys as paths; a key may not start with '/'.", name: "key", value: key)
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty || segment == "." || segment == ".." {
                throw .invalidArgument(
                    "The local S3 store keeps keys as paths; empty, '.' and '..' segments are not allowed.", name: "key", value: key)
            }
            if segment.utf8.count > Self.maximumSegmentBytes {
                throw LocalS3Failure(
                    status: 400, code: "KeyTooLongError",
                    message: "Your key is too long: the local S3 store allows \(Self.maximumSegmentBytes) bytes between slashes",
                    details: [("Size", String(segment.utf8.count)), ("MaxSizeAllowed", String(Self.maximumSegmentBytes))])
            }
        }
        return Located(bucket: bucket, key: key, dataPath: "\(root)/\(bucket)/\(key)", metaPath: "\(root)/.meta/\(bucket)/\(key)")
    }

    /// Refuses, before any bytes arrive, a key whose path is blocked by another object.
    func checkWritable(_ object: Located) throws(LocalS3Failure) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: object.dataPath, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .invalidArgument(
                "The local S3 store cannot hold '\(object.key)': other keys use it as a folder (\(object.key)/…).", name: "key",
                value: object.key)
        }
        var parent = (object.key as NSString).deletingLastPathComponent
        while !parent.isEmpty {
            if FileManager.default.fileExists(atPath: "\(root)/\(object.bucket)/\(parent)", isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                throw .invalidArgument(
                    "The local S3 store cannot hold '\(object.key)': the object '\(parent)' is in the way.", name: "key", value: object.key)
            }
            parent = (parent as NSString).deletingLastPathComponent
        }
    }

    // MARK: Writing

    /// Moves a finished upload into place with its metadata.
    func commit(upload temporaryPath: String, to object: Located, metadata: Metadata) throws(LocalS3Failure) {
        try checkWritable(object)
        let manager = FileManager.default
        let metaTemporary = "\(uploadsFolder)/\(UUID().uuidString).meta"
        defer { try? manager.removeItem(atPath: metaTemporary) }
        guard let encoded = try? JSONEncoder().encode(metadata), manager.createFile(atPath: metaTemporary, contents: encoded) else {
            throw .internalError("cannot write \(metaTemporary)")
        }
        // Folders are made under the lock so a concurrent delete cannot remove them in between.
        let failure: LocalS3Failure? = lock.withLock {
            for path in [object.dataPath, object.metaPath] {
                let folder = (path as NSString).deletingLastPathComponent
                do {
                    try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    return .internalError("cannot create \(folder): \(error)")
                }
            }
            if let failure = Self.rename(temporaryPath, object.dataPath) { return failure }
            return Self.rename(metaTemporary, object.metaPath)
        }
        if let failure { throw failure }
    }

    private static func rename(_ from: String, _ to: String) -> LocalS3Failure? {
        guard Glibc.rename(from, to) == 0 else {
            return .internalError("rename to \(to) failed: \(String(cString: strerror(errno)))")
        }
        return nil
    }

    /// Deleting what is not there succeeds, as in S3. Folders left empty go too, so the key
    /// can later name an object again.
    func delete(_ object: Located) {
        lock.withLock {
            _ = unlink(object.dataPath)
            _ = unlink(object.metaPath)
            for base in ["\(root)/\(object.bucket)", "\(root)/.meta/\(object.bucket)"] {
                var folder = (object.key as NSString).deletingLastPathComponent
                while !folder.isEmpty, rmdir("\(base)/\(folder)") == 0 {
                    folder = (folder as NSString).deletingLastPathComponent
                }
            }
        }
    }

    // MARK: Reading

    struct OpenObject {
        var descriptor: Int32
        var metadata: Metadata
        var lastModified: Date
    }

    /// Opens the object's bytes together with the metadata that describes them. The caller
    /// owns the descriptor.
    func open(_ object: Located) throws(LocalS3Failure) -> OpenObject {
        let opened: (Int32, Metadata?, stat)? = lock.withLock {
            let descriptor = Glibc.open(object.dataPath, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            var info = stat()
            guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                close(descriptor)
                return nil
            }
            let metadata = FileManager.default.contents(atPath: object.metaPath).flatMap {
                try? JSONDecoder().decode(Metadata.self, from: $0)
            }
            return (descriptor, metadata, info)
        }
        guard let (descriptor, stored, info) = opened else { throw .noSuchKey(object.key) }
        let size = Int(info.st_size)
        let metadata: Metadata
        if let stored, stored.size == size {
            metadata = stored
        } else {
            // A file put there by hand (or changed behind the store's back): describe it afresh.
            metadata = Metadata(
                contentType: stored?.contentType ?? Self.defaultContentType, etag: Self.etag(descriptor: descriptor), size: size)
        }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        return OpenObject(descriptor: descriptor, metadata: metadata, lastModified: modified)
    }

    /// Size, ETag and modification time without keeping the file open.
    func describe(_ object: Located) -> (metadata: Metadata, lastModified: Date)? {
        guard let opened = try? open(object) else { return nil }
        close(opened.descriptor)
        return (opened.metadata, opened.lastModified)
    }

    private static func etag(descriptor: Int32) -> String {
        let digest = ObjectDigest(.md5)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            digest.update(buffer[0..<count])
            offset += off_t(count)
        }
        return ObjectDigest.etag(md5: digest.finish())
    }

    /// Every key in the bucket that starts with `prefix`, in UTF-8 byte order as S3 lists them.
    func keys(bucket: String, prefix: String) -> [String] {
        let base = "\(root)/\(bucket)"
        // Only the folder the prefix reaches into needs walking.
        let folderPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        let start = folderPart.isEmpty ? base : "\(base)/\(folderPart)"
        guard let walker = FileManager.default.enumerator(atPath: start) else { return [] }
        var keys: [String] = []
        while let relative = walker.nextObject() as? String {
            guard (walker.fileAttributes?[.type] as? FileAttributeType) == .typeRegular else { continue }
            let key = folderPart.isEmpty ? relative : "\(folderPart)/\(relative)"
            if key.utf8.starts(with: prefix.utf8) { keys.append(key) }
        }
        return keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
