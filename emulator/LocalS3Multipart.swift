import Foundation
import NIOHTTP1
import VerdictS3

#if canImport(Glibc)
    import Glibc
#endif

/// One multipart upload in progress: a folder under the store's uploads holding the target and
/// each part as it arrives (`part-<n>` and its MD5 in `part-<n>.md5`). Parts that arrive in
/// order (the usual case) are also appended to `assembly` as they come, so that completing the
/// upload is a rename rather than a copy of the whole object. Gone on completion, abort, or the
/// emulator's next start, as S3 forgets aborted uploads.
final class LocalS3MultipartUpload {
    static let maximumPartNumber = 10_000

    struct Target: Codable {
        var bucket: String
        var key: String
        var contentType: String
    }

    let id: String
    let folder: String

    init(id: String, store: LocalS3Store) {
        self.id = id
        folder = "\(store.uploadsFolder)/multipart-\(id)"
    }

    /// Starts an upload for `object`.
    static func create(store: LocalS3Store, object: LocalS3Store.Located, contentType: String) throws(LocalS3Failure)
        -> LocalS3MultipartUpload
    {
        let id = (0..<32).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        let upload = LocalS3MultipartUpload(id: id, store: store)
        let target = Target(bucket: object.bucket, key: object.key, contentType: contentType)
        do {
            try FileManager.default.createDirectory(atPath: upload.folder, withIntermediateDirectories: false)
            try JSONEncoder().encode(target).write(to: URL(fileURLWithPath: "\(upload.folder)/target.json"))
        } catch {
            throw .internalError("cannot start a multipart upload in \(upload.folder): \(error)")
        }
        return upload
    }

    /// The upload called `id`, which must be for `object`.
    static func find(_ id: String, store: LocalS3Store, for object: LocalS3Store.Located) throws(LocalS3Failure)
        -> (LocalS3MultipartUpload, Target)
    {
        let upload = LocalS3MultipartUpload(id: id, store: store)
        guard id.allSatisfy(\.isHexDigit), !id.isEmpty,
            let data = FileManager.default.contents(atPath: "\(upload.folder)/target.json"),
            let target = try? JSONDecoder().decode(Target.self, from: data), target.bucket == object.bucket, target.key == object.key
        else {
            throw LocalS3Failure(
                status: 404, code: "NoSuchUpload",
                message:
                    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
                details: [("UploadId", id)])
        }
        return (upload, target)
    }

    /// Part bookkeeping of every upload goes through one lock: parts of one upload may arrive
    /// on several event loops at once.
    private static let lock = NSLock()

    private var assemblyPath: String { "\(folder)/assembly" }
    /// The parts in `assembly`, in order: their numbers are 1, 2, … and each line is `<size>`.
    private var assembledPath: String { "\(folder)/assembly.parts" }

    func keepPart(_ number: Int, from temporaryPath: String, md5: [UInt8]) throws(LocalS3Failure) {
        let path = "\(folder)/part-\(number)"
        Self.lock.lock()
        defer { Self.lock.unlock() }
        guard FileManager.default.createFile(atPath: path + ".md5", contents: Data(md5)), rename(temporaryPath, path) == 0 else {
            throw .internalError("cannot keep part \(number) of upload \(id) (aborted meanwhile?)")
        }
        try assemble(from: number)
    }

    /// Brings `assembly` up to date after part `number` arrived: a replaced part cuts it back
    /// to before that part; then every part that follows on (this one, and any that came early)
    /// is appended.
    private func assemble(from number: Int) throws(LocalS3Failure) {
        var sizes = assembledSizes()
        if number <= sizes.count {
            sizes.removeSubrange((number - 1)...)
            guard truncate(assemblyPath, off_t(sizes.reduce(0, +))) == 0 || sizes.isEmpty else {
                throw .internalError("cannot cut back \(assemblyPath)")
            }
        }
        guard number == sizes.count + 1 else { return }
        // Not O_APPEND: sendfile refuses such a target. Writing starts where the listed parts
        // end; a file that does not match its listing (a copy cut short) is rebuilt from the
        // part files, which are all kept.
        let output = open(assemblyPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .internalError("cannot open \(assemblyPath): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var info = stat()
        if fstat(output, &info) != 0 || Int(info.st_size) < sizes.reduce(0, +) { sizes = [] }
        let end = off_t(sizes.reduce(0, +))
        guard ftruncate(output, end) == 0, lseek(output, end, SEEK_SET) == end else {
            throw .internalError("cannot prepare \(assemblyPath): \(String(cString: strerror(errno)))")
        }
        do throws(LocalS3Failure) {
            while FileManager.default.fileExists(atPath: "\(folder)/part-\(sizes.count + 1)") {
                sizes.append(try Self.append("\(folder)/part-\(sizes.count + 1)", to: output))
            }
        } catch {
            writeListing(sizes)
            throw error
        }
        writeListing(sizes)
    }

    private func writeListing(_ sizes: [Int]) {
        let listing = sizes.map(String.init).joined(separator: "\n")
        if !FileManager.default.createFile(atPath: assembledPath, contents: Data(listing.utf8)) { unlink(assemblyPath) }
    }

    private func assembledSizes() -> [Int] {
        guard let text = try? String(contentsOfFile: assembledPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int($0) }
    }

    /// CompleteMultipartUpload: the listed parts, in ascending order and with their ETags, become
    /// the object; every part but the last must be at least 5 MiB.
    func complete(_ parts: [(number: Int, etag: String)], target: Target, store: LocalS3Store, object: LocalS3Store.Located)
        throws(LocalS3Failure) -> String
    {
        guard !parts.isEmpty else { throw .malformedXML }
        var digests: [UInt8] = []
        var paths: [String] = []
        var previous = 0
        for (index, part) in parts.enumerated() {
            guard part.number > previous else {
                throw LocalS3Failure(
                    status: 400, code: "InvalidPartOrder", message: "The list of parts was not in ascending order.",
                    details: [("UploadId", id)])
            }
            previous = part.number
            let path = "\(folder)/part-\(part.number)"
            guard let md5 = FileManager.default.contents(atPath: path + ".md5"), md5.count == 16,
                ObjectDigest.etag(md5: Array(md5)) == part.etag || ObjectDigest.etag(md5: Array(md5)) == "\"\(part.etag)\""
            else {
                throw LocalS3Failure(
                    status: 400, code: "InvalidPart",
                    message:
                        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                    details: [("UploadId", id), ("PartNumber", String(part.number)), ("ETag", part.etag)])
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if index < parts.count - 1, size < ObjectStore.minimumPartBytes {
                throw LocalS3Failure(
                    status: 400, code: "EntityTooSmall", message: "Your proposed upload is smaller than the minimum allowed object size.",
                    details: [
                        ("ProposedSize", String(size)), ("MinSizeAllowed", String(ObjectStore.minimumPartBytes)),
                        ("PartNumber", String(part.number)),
                    ])
            }
            digests += md5
            paths.append(path)
        }
        let joined = "\(folder)/object"
        // When the listed parts are exactly the assembled ones, the assembly is the object. It
        // leaves with its listing, under the lock, so no part arriving meanwhile writes into it.
        Self.lock.lock()
        let assembled = assembledSizes()
        let fromAssembly =
            parts.map(\.number) == Array(1...parts.count) && assembled.count == parts.count && rename(assemblyPath, joined) == 0
        if fromAssembly { unlink(assembledPath) }
        Self.lock.unlock()
        let size = fromAssembly ? assembled.reduce(0, +) : try Self.concatenate(paths, into: joined)
        // S3's multipart ETag: the MD5 of the parts' MD5s, and their count.
        let digest = ObjectDigest(.md5)
        digest.update(digests)
        let hex = ObjectDigest.etag(md5: digest.finish()).dropFirst().dropLast()
        let etag = "\"\(hex)-\(parts.count)\""
        do throws(LocalS3Failure) {
            try store.commit(upload: joined, to: object, metadata: .init(contentType: target.contentType, etag: etag, size: size))
        } catch {
            // Put the assembly back, so that completing again can succeed.
            if fromAssembly {
                Self.lock.lock()
                if rename(joined, assemblyPath) == 0 { writeListing(assembled) }
                Self.lock.unlock()
            }
            throw error
        }
        remove()
        return etag
    }

    /// Removes the upload and its parts.
    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes the files one after another into `path`; returns its size.
    private static func concatenate(_ paths: [String], into path: String) throws(LocalS3Failure) -> Int {
        let output = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .internalError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var total = 0
        for part in paths { total += try append(part, to: output) }
        return total
    }

    /// Appends the file at `path` to `output` with sendfile (the kernel copies, no round trip
    /// through this process); returns how many bytes.
    private static func append(_ path: String, to output: Int32) throws(LocalS3Failure) -> Int {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .internalError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var total = 0
        while true {
            let copied = sendfile(output, input, nil, 1 << 30)
            if copied < 0 {
                if errno == EINTR { continue }
                throw .internalError("cannot copy \(path): \(String(cString: strerror(errno)))")
            }
            if copied == 0 { return total }
            total += copied
        }
    }
}

extension LocalS3Endpoint {
    /// The multipart upload requests on an object, or nil for the others.
    func multipartPlan(_ head: HTTPRequestHead, _ target: Target, _ object: LocalS3Store.Located) throws(LocalS3Failure)
        -> LocalS3Exchange.Plan?
    {
        let uploadID = target.parameter("uploadId")
        let allowed: Set<String> = ["uploads", "uploadId", "partNumber", "x-id"]
        guard target.query.contains(where: { $0.name == "uploads" }) || uploadID != nil else { return nil }
        if let name = target.query.first(where: { !$0.name.hasPrefix("X-Amz-") && !allowed.contains($0.name) })?.name {
            throw .notImplemented("The local S3 endpoint does not support '\(name)' on multipart uploads.")
        }
        switch (head.method, uploadID) {
        case (.POST, nil):
            try store.checkWritable(object)
            let contentType = head.headers.first(name: "content-type") ?? LocalS3Store.defaultContentType
            return .respond { [store] () throws(LocalS3Failure) -> LocalS3Reply in
                let upload = try LocalS3MultipartUpload.create(store: store, object: object, contentType: contentType)
                return .xml(
                    "<InitiateMultipartUploadResult xmlns=\"\(LocalS3XML.namespace)\"><Bucket>\(LocalS3XML.escape(object.bucket))</Bucket>"
                        + "<Key>\(LocalS3XML.escape(object.key))</Key><UploadId>\(upload.id)</UploadId></InitiateMultipartUploadResult>")
            }
        case (.PUT, let id?):
            guard let number = target.parameter("partNumber").flatMap({ Int($0) }),
                (1...LocalS3MultipartUpload.maximumPartNumber).contains(number)
            else {
                throw .invalidArgument(
                    "Part number must be an integer between 1 and \(LocalS3MultipartUpload.maximumPartNumber), inclusive",
                    name: "partNumber", value: target.parameter("partNumber"))
            }
            let (upload, _) = try LocalS3MultipartUpload.find(id, store: store, for: object)
            return .upload(try LocalS3Upload(store: store, destination: .part(upload, number: number), head: head))
        case (.POST, let id?):
            let (upload, stored) = try LocalS3MultipartUpload.find(id, store: store, for: object)
            return .collect(limit: 1024 * 1024) { [store] (body) throws(LocalS3Failure) -> LocalS3Reply in
                let etag = try upload.complete(Self.parts(in: body), target: stored, store: store, object: object)
                return .xml(
                    "<CompleteMultipartUploadResult xmlns=\"\(LocalS3XML.namespace)\"><Bucket>\(LocalS3XML.escape(object.bucket))</Bucket>"
                        + "<Key>\(LocalS3XML.escape(object.key))</Key><ETag>\(LocalS3XML.escape(etag))</ETag></CompleteMultipartUploadResult>"
                )
            }
        case (.DELETE, let id?):
            let (upload, _) = try LocalS3MultipartUpload.find(id, store: store, for: object)
            return .respond {
                upload.remove()
                return LocalS3Reply(status: .noContent)
            }
        default:
            throw Self.methodNotAllowed(head.method, resource: "MULTIPARTUPLOAD")
        }
    }

    /// The `<Part>`s of a CompleteMultipartUpload document: number and ETag, in document order.
    static func parts(in body: [UInt8]) throws(LocalS3Failure) -> [(number: Int, etag: String)] {
        guard let root = S3XML.parse(body), root.name == "CompleteMultipartUpload" else { throw .malformedXML }
        return try root.children(named: "Part").map { part throws(LocalS3Failure) in
            guard let number = part.value("PartNumber").flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                let etag = part.value("ETag")?.trimmingCharacters(in: .whitespacesAndNewlines)
            else { throw .malformedXML }
            return (number, etag)
        }
    }
}

extension LocalS3Reply {
    static func xml(_ document: String) -> LocalS3Reply {
        LocalS3Reply(
            status: .ok, headers: [("content-type", "application/xml")], body: .bytes(Array((LocalS3XML.prolog + document).utf8)))
    }
}
