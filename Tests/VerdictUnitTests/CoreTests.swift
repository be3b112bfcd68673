import VerdictCore
import VerdictCrypto
import XCTest

final class CoreTests: XCTestCase {
    func testHashingVectors() {
        XCTAssertEqual(Crypto.hex(Crypto.sha256(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231 test case 2.
        XCTAssertEqual(
            Crypto.hex(Crypto.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(Crypto.fromHex("00ff10"), [0, 255, 16])
        XCTAssertNil(Crypto.fromHex("0g"))
        XCTAssertTrue(Crypto.constantTimeEqual([1, 2], [1, 2]))
        XCTAssertFalse(Crypto.constantTimeEqual([1, 2], [1, 3]))
    }

    func testRandomKeysAreBase62AndDistinct() {
        let a = Crypto.randomBase62(32)
        let b = Crypto.randomBase62(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }

    func testCursorRoundTripAndRejection() throws {
        let cursor = PageCursor(sortKey: "2026-11-21T16:00:00.000000Z", id: "0b6f7f2e-8c1e-4d4e-9a8e-1c2d3e4f5a6b")
        XCTAssertEqual(try PageCursor(token: cursor.token), cursor)
        XCTAssertThrowsError(try PageCursor(token: "not a cursor"))
        XCTAssertThrowsError(try PageCursor(token: Base64URL.encode("x|not-a-uuid")))
    }

    func testLimits() throws {
        XCTAssertEqual(try PageLimit.parse(nil), PageLimit.default)
        XCTAssertEqual(try PageLimit.parse("10"), 10)
        for bad in ["0", "-1", "501", "ten", "1.5"] { XCTAssertThrowsError(try PageLimit.parse(bad), bad) }
    }

    func testUUIDValidation() {
        XCTAssertTrue(UUIDText.isValid("0B6F7F2E-8c1e-4d4e-9a8e-1c2d3e4f5a6b"))
        XCTAssertFalse(UUIDText.isValid("0b6f7f2e8c1e4d4e9a8e1c2d3e4f5a6b"))
        XCTAssertFalse(UUIDText.isValid("zb6f7f2e-8c1e-4d4e-9a8e-1c2d3e4f5a6b"))
    }
}

import VerdictJSON

enum Base64URL {
    static func encode(_ text: String) -> String { Base64.encodeURLSafe(Array(text.utf8)) }
}
