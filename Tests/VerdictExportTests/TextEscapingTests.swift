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

    /// `XMLText.escape` against the plain rule: sanitize, then escape character by character
    /// as libxml2's writer does.
    func testEscapingMatchesTheCharacterRules() {
        func reference(_ text: String, attribute: Bool) -> String {
            var out = ""
            for scalar in XMLText.sanitized(text).unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\r": out += "&#13;"
                case "\"" where attribute: out += "&quot;"
                case "\n" where attribute: out += "&#10;"
                case "\t" where attribute: out += "&#9;"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        let samples = [
            "", "plain", "at Foo.<init>(Foo.java:10)", "a & b > c", "quote \" tab\t lf\n cr\r", "\u{0}\u{1}\u{1B}[31m\u{1F}",
            "\u{FFFE}x\u{FFFF}\u{FFFD}\u{FFEF}", "日本語 🎉 <tag attr=\"v\">", "ends with <", "\u{EF}", "é\u{FFFF}",
        ]
        for sample in samples {
            for attribute in [false, true] {
                var copy = sample
                var out: [UInt8] = []
                let changed = copy.withUTF8 { XMLText.escape($0, attribute: attribute, into: &out) }
                let expected = reference(sample, attribute: attribute)
                XCTAssertEqual(
                    changed ? String(decoding: out, as: UTF8.self) : sample, expected, "\(sample.debugDescription) attribute: \(attribute)")
                XCTAssertEqual(changed, expected != sample, sample.debugDescription)
            }
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
