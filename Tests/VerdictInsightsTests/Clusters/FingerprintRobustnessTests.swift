import VerdictInsights
import VerdictTestSupport
import XCTest

/// Report text is untrusted: any bytes must give a fingerprint, never a trap. Random texts
/// built from the pieces the scanners look for (quotes, colons, slashes, `at `, `File "`,
/// escapes, digits, multi-byte characters) at every position.
final class FingerprintRobustnessTests: XCTestCase {
    private static let pieces = [
        "at ", "File \"", "\", line ", ", in ", "(", ")", ":", "::", "/", "\\", "C:\\", "'", "\"", "`", "<", ">", "[", "]", "0x", "0x1f",
        "12", "2024-01-15", "T10:30:00", "Z", "+02:00", "Mon, ", "Jan ", "GMT", "\u{1b}[", "31m", "\u{1b}]8;;", "\u{7}", "\n", "\r\n", "\t",
        " ", "E ", "Error", "Exception: ", "java.lang.", "Caused by: ", "http://", "localhost", "?p=", ".ts", ".py", ".go", ":in `", " +0x",
        "Traceback (most recent call last):", "● ", "› ", "=== RUN", "--- FAIL", "@@", "- ", "+ ", "> ", "| ", "é", "字", "🙂", "\u{0}",
        "_", "-", ".", "status ", "pattern: ", "$", "@", "~/", "./", "../", "3f9a2c1e-77b0-4f7e-9d3c-2a1b0c9d8e7f", "(index 0)", ":line ",
    ]

    func testArbitraryTextNeverTraps() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<4_000 {
            func text() -> String? {
                if random.chance(0.1) { return nil }
                return (0..<random.int(0..<40)).map { _ in random.pick(Self.pieces) }.joined()
            }
            let fingerprint = FailureFingerprint(errorType: text(), message: text(), stack: text())
            XCTAssertLessThanOrEqual(fingerprint.template.utf8.count, FingerprintLimits.templateBytes)
            XCTAssertLessThanOrEqual(fingerprint.frames.count, FingerprintLimits.frames)
            XCTAssertEqual(fingerprint.id.uuid.utf8.count, 36)
        }
    }

    /// Texts cut at every byte: scanners must stop at the end of their input.
    func testEveryPrefixOfRealTextsIsSafe() {
        let samples = [
            "Error: expect(received).toBe(expected)\n\nExpected: 4\n    at /project/tests/functional/add.spec.ts:10:21",
            "\tat org.acme.FlakyTest.testFlaky(FlakyTest.java:18)", "  File \"/a/tests/test_x.py\", line 3, in test_y",
            "GET http://127.0.0.1:8080/x?y=1 at 2024-01-15T10:30:00.123+02:00 Mon, 15 Jan 2024 10:30:00 GMT 3f9a2c1e-77b0-4f7e-9d3c-2a1b0c9d8e7f",
            "C:\\Users\\me\\a.cs:line 4 '\\'' \"a\\\"b\" `x` expected:<[a]> 0x7ffd 1500ms \u{1b}[31mred\u{1b}[39m [1;31m",
            "app/models/account.rb:30:in `find!'\n\t/home/x/go/cart.go:31 +0x1d\nE   assert 1 == 2\ntests/a.py:12: in f",
        ]
        for sample in samples {
            let bytes = Array(sample.utf8)
            for cut in 0...bytes.count {
                let text = String(decoding: bytes[..<cut], as: UTF8.self)
                _ = FailureFingerprint(errorType: text, message: text, stack: text)
            }
        }
    }
}
