@testable import VerdictInsights
import XCTest

final class FingerprintIDTests: XCTestCase {
    /// A change to the hashing, the canonical bytes or the normalisation of this input changes
    /// every stored cluster id: it must be deliberate, so this value is written down.
    func testKnownInputHasAKnownID() {
        let fingerprint = FailureFingerprint(
            errorType: "org.opentest4j.AssertionFailedError", message: "expected: <1> but was: <0>",
            stack:
                "org.opentest4j.AssertionFailedError: expected: <1> but was: <0>\n\tat org.junit.jupiter.api.Assertions.assertEquals(Assertions.java:528)\n\tat org.acme.FlakyTest.testFlaky(FlakyTest.java:18)"
        )
        XCTAssertEqual(fingerprint.template, "expected: <val> but was: <val>")
        XCTAssertEqual(fingerprint.frames, ["org.acme.FlakyTest.testFlaky"])
        XCTAssertEqual(fingerprint.id.uuid, "27a63e72-c799-896e-b032-ae9133ba2fde")
    }

    func testIDIsAVersion8UUID() {
        let id = FailureFingerprint(errorType: nil, message: "x", stack: nil).id.uuid
        let parts = id.split(separator: "-").map(\.count)
        XCTAssertEqual(parts, [8, 4, 4, 4, 12])
        XCTAssertEqual(Array(id)[14], "8", "version nibble")
        XCTAssertTrue("89ab".contains(Array(id)[19]), "RFC 9562 variant")
        XCTAssertEqual(id, id.lowercased())
    }

    func testSameContentSameIDDifferentContentDifferentID() {
        let a = FailureFingerprint(errorType: "Error", message: "Timeout 1500ms exceeded", stack: "    at pay (/a/src/pay.ts:1:1)")
        let b = FailureFingerprint(errorType: "Error", message: "Timeout 3000ms exceeded", stack: "    at pay (/b/src/pay.ts:9:9)")
        XCTAssertEqual(a.id, b.id)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(
            a.id, FailureFingerprint(errorType: "TypeError", message: "Timeout 1500ms exceeded", stack: "    at pay (/a/src/pay.ts:1:1)").id
        )
        XCTAssertNotEqual(
            a.id, FailureFingerprint(errorType: "Error", message: "Timeout 1500ms exceeded", stack: "    at refund (/a/src/pay.ts:1:1)").id)
        XCTAssertNotEqual(
            a.id, FailureFingerprint(errorType: "Error", message: "Timeout 1500ms passed", stack: "    at pay (/a/src/pay.ts:1:1)").id)
    }

    func testSHA256KnownVectors() {
        func hex(_ bytes: [UInt8]) -> String {
            bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
        XCTAssertEqual(hex(SHA256.hash([UInt8]())), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(SHA256.hash(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    /// A message of megabytes (untrusted input) costs no more than its first 64 KB and last 8 KB.
    func testWorkIsBoundedOnAFiveMegabyteMessage() {
        let line = "  - locator resolved to <div class=\"row\" data-id=\"12345\">item</div>\n"
        let huge =
            "Error: Timed out 5000ms waiting for expect(locator).toHaveCount(expected)\n\nCall log:\n"
            + String(repeating: line, count: 5 * 1_048_576 / line.utf8.count) + "\n    at /work/shop/tests/list.spec.ts:31:7"
        XCTAssertGreaterThan(huge.utf8.count, 5_000_000)
        let oneLine = String(repeating: "x", count: 5 * 1_048_576)
        let start = ContinuousClock.now
        let fingerprint = FailureFingerprint(errorType: nil, message: huge, stack: huge)
        let flat = FailureFingerprint(errorType: nil, message: oneLine, stack: oneLine)
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(fingerprint.template, "Timed out <num>ms waiting for expect(locator).toHaveCount(expected) Call log:")
        XCTAssertEqual(fingerprint.frames, ["tests/list.spec.ts"], "the stack at the end of the message is still read")
        XCTAssertLessThanOrEqual(flat.template.utf8.count, FingerprintLimits.templateBytes)
        XCTAssertLessThanOrEqual(
            FailureFingerprint(errorType: oneLine, message: nil, stack: nil).errorType?.utf8.count ?? 0, FingerprintLimits.typeBytes)
        XCTAssertLessThan(elapsed, .seconds(1), "bounded, not proportional to 10 MB of input")
    }

    func testEmptyInputsAreOneFingerprint() {
        let none = FailureFingerprint(errorType: nil, message: nil, stack: nil)
        XCTAssertEqual(none.template, "")
        XCTAssertEqual(none.frames, [])
        XCTAssertNil(none.errorType)
        XCTAssertEqual(none.id, FailureFingerprint(errorType: "  ", message: "", stack: "\n").id)
    }
}
