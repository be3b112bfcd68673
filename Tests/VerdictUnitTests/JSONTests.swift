import VerdictJSON
import XCTest

final class JSONTests: XCTestCase {
    func testParsesAndSerializesRoundTrip() throws {
        let text = #"{"a":1,"b":[true,false,null],"c":"x\"y\\z\n","d":-2.5,"e":{"nested":[]},"big":9007199254740993}"#
        let value = try JSON.parse(text)
        XCTAssertEqual(value["a"], .int(1))
        XCTAssertEqual(value["c"]?.stringValue, "x\"y\\z\n")
        XCTAssertEqual(value["d"]?.doubleValue, -2.5)
        XCTAssertEqual(value["big"]?.intValue, 9_007_199_254_740_993, "integers stay exact")
        XCTAssertEqual(value.text, text)
        XCTAssertEqual(value.objectValue?.keys, ["a", "b", "c", "d", "e", "big"], "key order is kept")
    }

    func testUnicodeEscapesAndSurrogates() throws {
        XCTAssertEqual(try JSON.parse(#""\u00e9\ud83d\ude00""#).stringValue, "é😀")
        XCTAssertEqual(try JSON.parse(#""\ud83d""#).stringValue, "\u{FFFD}", "a lone surrogate becomes U+FFFD")
        XCTAssertEqual(JSON.string("\u{01}é").text, #""\u0001é""#)
    }

    func testErrorsNameLineAndColumn() {
        XCTAssertThrowsError(try JSON.parse("{\n  \"a\": tru\n}")) { error in
            let parseError = error as? JSONParseError
            XCTAssertEqual(parseError?.line, 2)
            XCTAssertEqual(parseError?.reason, "invalid literal")
        }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"a", "[1] 2", "{\"a\":1,}", "\"\u{01}\""] {
            XCTAssertThrowsError(try JSON.parse(bad), "accepted \(bad.debugDescription)")
        }
    }

    /// Strings are scanned 16 bytes at a time: escapes, the closing quote, control characters
    /// and invalid UTF-8 are found at every offset in a block, on the plain path and after an escape.
    func testStringsAtEveryOffsetInABlock() throws {
        for k in 0..<40 {
            let pad = String(repeating: "a", count: k)
            XCTAssertEqual(try JSON.parse("\"\(pad)\"").stringValue, pad)
            XCTAssertEqual(try JSON.parse("\"\(pad)é\\n\(pad)\\\"x\\u00e9\(pad)\"").stringValue, "\(pad)é\n\(pad)\"xé\(pad)")
            XCTAssertEqual(
                try JSON.parse("[\"\\t\(pad)\", \"\(pad)\\\\\"]").arrayValue?.compactMap(\.stringValue), ["\t" + pad, pad + "\\"])
            for control in ["\u{01}", "\n", "\u{1F}"] {
                for text in ["\"\(pad)\(control)\"", "\"\\n\(pad)\(control)\""] {
                    XCTAssertThrowsError(try JSON.parse(text), "offset \(k)") { error in
                        XCTAssertEqual((error as? JSONParseError)?.reason, "control character in string")
                    }
                }
            }
            for prefix in ["\"", "\"\\n"] {
                XCTAssertThrowsError(try JSON.parse(Array((prefix + pad).utf8) + [0xFF] + Array("\"".utf8)), "offset \(k)")
                XCTAssertThrowsError(try JSON.parse(prefix + pad), "unterminated at offset \(k)")
            }
        }
    }

    func testDepthIsLimited() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        XCTAssertThrowsError(try JSON.parse(deep))
        XCTAssertNoThrow(try JSON.parse(deep, maxDepth: 1000))
    }

    func testByteOrderMarkIsTolerated() throws {
        XCTAssertEqual(try JSON.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)), [1])
    }

    func testBase64() {
        for sample in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let encoded = Base64.encode(Array(sample.utf8))
            XCTAssertEqual(Base64.decode(encoded), Array(sample.utf8))
        }
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertNil(Base64.decode("Zm9v!"))
        XCTAssertEqual(Base64.decodeURLSafe(Base64.encodeURLSafe([251, 255, 0])), [251, 255, 0])
    }
}
