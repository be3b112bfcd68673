import XCTest

@testable import VerdictS3

final class CanonicalFormTests: XCTestCase {
    func testPercentEncodingKeepsOnlyUnreservedCharacters() {
        XCTAssertEqual(PercentEncoding.encode("a-_.~Z9 /+ü"), "a-_.~Z9%20%2F%2B%C3%BC")
        XCTAssertEqual(PercentEncoding.encode("a b/c", keepingSlash: true), "a%20b/c")
    }

    func testPercentDecodingIsLenient() {
        XCTAssertEqual(String(decoding: PercentEncoding.decode("%c3%BC+%2f%zz%4"), as: UTF8.self), "ü+/%zz%4")
    }

    func testHeaderValuesAreTrimmedAndCollapsed() {
        XCTAssertEqual(
            SigV4Signature.canonicalHeaderValue("  text/plain;\r\n  charset=utf-8\t "), "text/plain; charset=utf-8")
        XCTAssertEqual(SigV4Signature.canonicalHeaderValue(""), "")
    }

    func testQueryIsSortedByEncodedNameThenValue() {
        let pairs: [(name: [UInt8], value: [UInt8])] = [
            (Array("b".utf8), Array("2".utf8)), (Array("a b".utf8), []), (Array("b".utf8), Array("1".utf8)),
            (Array("B".utf8), Array("~".utf8)),
        ]
        XCTAssertEqual(SigV4Signature.canonicalQuery(pairs), "B=~&a%20b=&b=1&b=2")
    }
}
