import VerdictJSON
import XCTest

@testable import VerdictExport

/// The byte-level fast paths must agree with the obvious character-by-character rules.
final class TextEscapingTests: XCTestCase {
    func testIllegalCharactersAreFoundAtEveryOffsetOfTheWordScan() {
        let illegal: [Unicode.Scalar] =
            (0..<0x20).filter { ![0x9, 0xA, 0xD].contains($0) }.map { Unicode.Scalar(UInt8($0)) } + ["\u{FFFE}", "\u{FFFF}"]
        for scalar in illegal {
            for offset in 0..<17 {
                let text = String(repeating: "é", count: offset / 2) + String(repeating: "a", count: offset % 2) + String(scalar) + "tail"
                XCTAssertFalse(XMLText.isLegal(text), "U+\(String(scalar.value, radix: 16)) at byte \(offset)")
                XCTAssertFalse(XMLText.sanitized(text).unicodeScalars.contains(scalar))
            }
        }
        for legal in [
            "", "plain ascii text, longer than a word", "tab\tcr\rlf\n", "\u{FFFD}\u{FFFD}", "日本語のテキスト\u{FFEF}", "🎉 emoji \u{10FFFF}",
        ] {
            XCTAssertTrue(XMLText.isLegal(legal), legal)
            XCTAssertEqual(XMLText.sanitized(legal), legal)
        }
    }

    func testJSONStringsMatchVerdictJSONsEscaping() throws {
        let samples = ["", "plain", "quote \" backslash \\ slash /", "lines\n\r\t", "\u{0}\u{1}\u{1B}[31m\u{1F}", "日本語 🎉", "end\\"]
        for sample in samples {
            var fast: [UInt8] = []
            JSONStrings.append(sample, to: &fast)
            var reference: [UInt8] = []
            JSON.writeString(sample, to: &reference)
            XCTAssertEqual(fast, reference, sample)
            XCTAssertEqual(try JSON.parse(fast), .string(sample))
        }
    }
}
