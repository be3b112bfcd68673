import VerdictJSON
import XCTest

@testable import VerdictExport

/// The byte-level fast paths must agree with the obvious character-by-character rules.
final class TextEscapingTests: XCTestCase {
    func testIllegalCharactersAreFoundAtEveryOffsetOfTheWordScan() {
        let illegal: [Unicode.Scalar] =
            (0..<0x20).filter { ![0x9, 0xA, 0xD].contains($0) }.map { Unicode.Scalar(UInt8($0)) } + ["\u{FFFE}", "\u{FFFF}"]
        for scalar in illegal {
            for offset in 0..<25 {
                let text = String(repeating: "é", count: offset / 2) + String(repeating: "a", count: offset % 2) + String(scalar) + "tail"
                XCTAssertFalse(XMLText.isLegal(text), "U+\(String(scalar.value, radix: 16)) at byte \(offset)")
                XCTAssertFalse(XMLText.sanitized(text).unicodeScalars.contains(scalar))
            }
        }
        for legal in [
            "", "plain ascii text, longer than a word", "tab\tcr\rlf\n", "\u{FFFD}\u{FFFD}", "日本語のテキスト\u{FFEF}", "🎉 emoji \u{10FFFF}",
            "\n\tat a.b(C.java:1)\r\n\tat d.e(F.java:2)", "fullwidth，comma\u{FF0C}\u{EFFF}", "\u{7F}\u{80}\u{9F}",
        ] {
            XCTAssertTrue(XMLText.isLegal(legal), legal)
            XCTAssertEqual(XMLText.sanitized(legal), legal)
        }
    }

    /// The plain rule `XMLText.escape` must follow: sanitize, then escape character by
    /// character as libxml2's writer does.
    private func reference(_ text: String, attribute: Bool) -> String {
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

    private func assertEscapes(_ sample: String, file: StaticString = #filePath, line: UInt = #line) {
        for attribute in [false, true] {
            var copy = sample
            var out: [UInt8] = []
            let changed = copy.withUTF8 { XMLText.escape($0, attribute: attribute, into: &out) }
            let expected = reference(sample, attribute: attribute)
            XCTAssertEqual(
                changed ? String(decoding: out, as: UTF8.self) : sample, expected, "\(sample.debugDescription) attribute: \(attribute)",
                file: file, line: line)
            XCTAssertEqual(changed, expected != sample, sample.debugDescription, file: file, line: line)
        }
    }

    func testEscapingMatchesTheCharacterRules() {
        let samples = [
            "", "plain", "at Foo.<init>(Foo.java:10)", "a & b > c", "quote \" tab\t lf\n cr\r", "\u{0}\u{1}\u{1B}[31m\u{1F}",
            "\u{FFFE}x\u{FFFF}\u{FFFD}\u{FFEF}", "日本語 🎉 <tag attr=\"v\">", "ends with <", "\u{EF}", "é\u{FFFF}",
            "expected: <144> but was: <147>\n\tat org.junit.Assert.fail(Assert.java:89)\n\tat Foo.<init>(Foo.java:1)\r\n",
        ]
        for sample in samples { assertEscapes(sample) }
    }

    /// The scan reads 16 bytes at a time, then the rest one by one: every character that
    /// matters, at every offset of a block and across block boundaries, near the end and not.
    func testEscapingFindsEveryCharacterAtEveryOffset() {
        let specials = [
            "&", "<", ">", "\"", "\t", "\n", "\r", "\u{0}", "\u{1F}", "\u{FFFE}", "\u{FFFF}", "\u{FFEF}", "\u{FF0C}", "é", "\u{7F}",
        ]
        for special in specials {
            for offset in 0..<35 {
                for tail in [0, 1, 6, 13] {
                    assertEscapes(String(repeating: "a", count: offset) + special + String(repeating: "b", count: tail))
                    assertEscapes(String(repeating: "a", count: offset) + special + "x" + special + String(repeating: "b", count: tail))
                }
            }
        }
        // U+FFFE split by a block boundary: EF in one block, BF BE in the next.
        for offset in 0..<18 { assertEscapes(String(repeating: "a", count: offset) + "\u{FFFE}\u{FFFF}" + "zz") }
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
