import VerdictCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// What a streamed download saw: the size and SHA-256 of the bytes as they arrived.
public struct DownloadedObject: Sendable, Equatable {
    public var size: Int
    public var sha256Hex: String
}

extension ObjectStore {
    /// Streams the object into `path` (created or truncated), hashing it on the way, so that a
    /// report of any size costs a fixed amount of memory. Returns nil when there is no object.
    /// Pass a nil path to only measure and hash it.
    public func download(_ key: String, to path: String?) throws(ObjectStoreError) -> DownloadedObject? {
        var descriptor: Int32 = -1
        if let path {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw .transport("cannot write \(path): \(String(cString: strerror(errno)))") }
        }
        defer { if descriptor >= 0 { close(descriptor) } }
        var writeFailed = false
        let got = try download(key) { chunk in
            guard descriptor >= 0, let base = chunk.baseAddress else { return true }
            var written = 0
            while written < chunk.count {
                let n = write(descriptor, base + written, chunk.count - written)
                if n <= 0 {
                    writeFailed = true
                    return false
                }
                written += n
            }
            return true
        }
        if writeFailed { throw .transport("cannot write \(path ?? ""): \(String(cString: strerror(errno)))") }
        return got
    }

    /// Downloads the object into memory, hashing it on the way: for objects expected to be small
    /// enough, which then skip the disk. Bytes past `limit` are counted and hashed but not kept
    /// (a larger object than expected then shows in the returned size). Returns nil when there
    /// is no object.
    public func download(_ key: String, into bytes: inout [UInt8], keepingAtMost limit: Int) throws(ObjectStoreError)
        -> DownloadedObject?
    {
        bytes.reserveCapacity(min(limit, 64 * 1024 * 1024))
        return try download(key) { chunk in
            if bytes.count + chunk.count <= limit { bytes.append(contentsOf: chunk) }
            return true
        }
    }

    /// Streams the object's bytes to `chunk` (which returns false to stop), with its size and
    /// SHA-256 as they arrived.
    func download(_ key: String, chunk: (UnsafeRawBufferPointer) -> Bool) throws(ObjectStoreError) -> DownloadedObject? {
        let digest = ObjectDigest(.sha256)
        var size = 0
        let url = try presignedURL(.get, key: key, expiresIn: ObjectStore.requestExpiry)
        let response = try withoutActuallyEscaping(chunk) { chunk throws(ObjectStoreError) in
            try send("GET", url) { bytes in
                digest.update(bytes)
                size += bytes.count
                return chunk(bytes)
            }
        }
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw Self.failure(response) }
        return DownloadedObject(size: size, sha256Hex: Crypto.hex(digest.finish()))
    }
}
