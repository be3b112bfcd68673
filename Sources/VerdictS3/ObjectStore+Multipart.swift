/// S3 multipart uploads: an object sent in parts (each but the last at least 5 MiB) that can
/// go out while the rest is still being produced.
extension ObjectStore {
    /// S3's smallest part, except the last.
    public static let minimumPartBytes = 5 * 1024 * 1024

    /// CreateMultipartUpload; returns the upload id the parts are sent under.
    public func createMultipartUpload(_ key: String, contentType: String) throws(ObjectStoreError) -> String {
        let url = try objectURL(.post, key: key, headers: ["Content-Type": contentType], query: [("uploads", "")])
        let response = try send("POST", url, headers: [("Content-Type", contentType)], body: [])
        guard response.status == 200 else { throw Self.failure(response) }
        guard let id = S3XML.parse(response.body)?.value("UploadId"), !id.isEmpty else {
            throw .unexpectedResponse(status: 200, detail: "CreateMultipartUpload answer without an UploadId")
        }
        return id
    }

    /// UploadPart; returns the part's ETag, which completing the upload names.
    public func uploadPart(_ key: String, uploadID: String, partNumber: Int, bytes: [UInt8]) throws(ObjectStoreError) -> String {
        let url = try objectURL(.put, key: key, query: [("partNumber", String(partNumber)), ("uploadId", uploadID)])
        let response = try send("PUT", url, body: bytes)
        guard response.status == 200 else { throw Self.failure(response) }
        guard let etag = response.headers["etag"] else {
            throw .unexpectedResponse(status: 200, detail: "UploadPart answer without an ETag")
        }
        return etag
    }

    /// CompleteMultipartUpload with the parts' ETags in part-number order (1, 2, …). S3 may
    /// answer 200 with an error document, which is reported as the error it is.
    public func completeMultipartUpload(_ key: String, uploadID: String, etags: [String]) throws(ObjectStoreError) {
        var document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            document += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(XMLText.escape(etag))</ETag></Part>"
        }
        document += "</CompleteMultipartUpload>"
        let url = try objectURL(.post, key: key, query: [("uploadId", uploadID)])
        let response = try send("POST", url, headers: [("Content-Type", "application/xml")], body: Array(document.utf8))
        guard response.status == 200, S3XML.parse(response.body)?.name != "Error" else {
            var failed = response
            if failed.status == 200 { failed.status = 500 }
            throw Self.failure(failed)
        }
    }

    /// AbortMultipartUpload: the parts sent so far are dropped.
    public func abortMultipartUpload(_ key: String, uploadID: String) throws(ObjectStoreError) {
        let url = try objectURL(.delete, key: key, query: [("uploadId", uploadID)])
        let response = try send("DELETE", url)
        guard response.status == 204 || response.status == 200 else { throw Self.failure(response) }
    }
}
