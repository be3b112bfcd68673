import CurlClient

#if canImport(Glibc)
    import Glibc
#endif

extension ObjectStore {
    /// Stores the file at `path` under `key`, libcurl reading it as it sends, so that an
    /// upload of any size costs a fixed amount of memory; returns the new ETag.
    @discardableResult
    public func put(_ key: String, contentsOf path: String, contentType: String = "application/octet-stream")
        throws(ObjectStoreError) -> String
    {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .transport("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .transport("cannot stat \(path): \(String(cString: strerror(errno)))") }
        let url = try presignedURL(.put, key: key, expiresIn: ObjectStore.requestExpiry, contentType: contentType)
        let response: CurlHTTP.Response
        do {
            response = try http.perform(
                method: "PUT", url: url, headers: [("Content-Type", contentType)],
                timeoutMilliseconds: configuration.timeoutMilliseconds, bodyFile: (descriptor, Int(info.st_size)))
        } catch {
            throw .transport(error.description)
        }
        guard response.status == 200 else { throw Self.failure(response) }
        return response.headers["etag"] ?? ""
    }
}
