import Foundation
import VerdictS3
import VerdictTestSupport
import XCTest

/// `ObjectStore.put(_:contentsOf:)`, which has libcurl read the body from a file as it sends,
/// against the emulator's local S3.
extension LocalS3EndToEndTests {
    func testPutStreamsAFileAndRefusesAMissingOne() async throws {
        let key = "\(folder())streamed/export.xml"
        var generator = SeededRandom(seed: 7)
        // Not a multiple of libcurl's read buffer, so the last read is a short one.
        var bytes = [UInt8](repeating: 0, count: 9 * 1024 * 1024 + 12345)
        bytes.withUnsafeMutableBytes { buffer in
            let words = buffer.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = generator.next() }
        }
        let path = NSTemporaryDirectory() + "verdict-streamed-put-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let store = try store()
        let etag = try store.put(key, contentsOf: path, contentType: "application/xml")
        XCTAssertEqual(etag, ObjectDigest.etag(md5: ObjectDigest.md5(bytes)))
        let info = try XCTUnwrap(try store.head(key))
        XCTAssertEqual(info.size, bytes.count)
        XCTAssertEqual(info.contentType, "application/xml")
        XCTAssertEqual(ObjectDigest.hex(ObjectDigest.sha256(try store.get(key))), ObjectDigest.hex(ObjectDigest.sha256(bytes)))

        let empty = NSTemporaryDirectory() + "verdict-streamed-put-empty-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try store.put(key + ".empty", contentsOf: empty)
        XCTAssertEqual(try store.head(key + ".empty")?.size, 0)

        XCTAssertThrowsError(try store.put(key + ".missing", contentsOf: path + ".missing")) { error in
            guard case ObjectStoreError.transport = error else { return XCTFail("unexpected \(error)") }
        }
        XCTAssertNil(try store.head(key + ".missing"))
    }
}
