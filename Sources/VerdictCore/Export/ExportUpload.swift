import VerdictS3

/// An export document on its way out. It is held in memory while it could still be answered
/// inline; past that it leaves in parts, each handed over (`emitPart`) as soon as it is full so
/// that it can be uploaded while the rest is written. A large export then needs no scratch
/// file, whatever its size, and does not wait for its whole upload after its last byte.
///
/// Used by the thread that writes the document.
public final class ExportBuffer {
    /// Parts of a multipart upload: above S3's 5 MiB minimum, few enough for large documents.
    public static let partBytes = 8 * 1024 * 1024

    /// What has not been handed over as a part: the whole document when it stayed small.
    public private(set) var bytes: [UInt8] = []
    private var emitPart: (([UInt8]) throws -> Void)?

    /// - Parameter emitPart: takes each full part; nil keeps the whole document in memory
    ///   (no bucket to send parts to).
    public init(emitPart: (([UInt8]) throws -> Void)?) {
        self.emitPart = emitPart
    }

    /// No more parts: what is left stays in `bytes`.
    public func finish() { emitPart = nil }

    public func append(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
        guard let emitPart, bytes.count >= Self.partBytes else { return }
        let part = bytes
        bytes = []
        bytes.reserveCapacity(Self.partBytes + 64 * 1024)
        try emitPart(part)
    }
}

/// The bucket side of an `ExportBuffer`: the multipart upload its parts go to, started with
/// the first part. Used by one thread.
public final class ExportPartUpload {
    let store: ObjectStore
    let key: String
    let contentType: String
    private var uploadID: String?
    private var etags: [String] = []

    public init(store: ObjectStore, key: String, contentType: String) {
        self.store = store
        self.key = key
        self.contentType = contentType
    }

    /// Whether parts went out, so the document must be finished with `complete`.
    public var isStarted: Bool { uploadID != nil }

    public func send(_ part: [UInt8]) throws {
        let id = try uploadID ?? store.createMultipartUpload(key, contentType: contentType)
        uploadID = id
        etags.append(try store.uploadPart(key, uploadID: id, partNumber: etags.count + 1, bytes: part))
    }

    /// Sends the last (possibly short) part and makes the parts the object.
    public func complete(lastPart: [UInt8]) throws {
        guard let uploadID else { preconditionFailure("complete before the first part") }
        if !lastPart.isEmpty { try send(lastPart) }
        try store.completeMultipartUpload(key, uploadID: uploadID, etags: etags)
        self.uploadID = nil
    }

    /// Drops the parts sent so far (best effort: S3 lifecycle rules clean up what this misses).
    public func abandon() {
        guard let uploadID else { return }
        try? store.abortMultipartUpload(key, uploadID: uploadID)
        self.uploadID = nil
    }
}
