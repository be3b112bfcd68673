import VerdictJSON
import XCTest

@testable import VerdictHTML

final class EscapingTests: XCTestCase {
    static let hostile = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "</title></textarea></style></script><svg onload=alert(1)>",
        "<!-- --> <![CDATA[ ]]> <!DOCTYPE x>",
        "&lt;already escaped&gt; &amp; &#106;",
        "javascript:alert(1)",
        "nul\u{0}byte",
        "emoji 👩‍👩‍👧 and e\u{301} combining, RTL \u{202E}txt",
        "line\u{2028}separator\u{2029}",
        "",
    ]

    func testTextEscapesMarkupCharacters() {
        let value = "<script>alert(1)</script> & \"quotes\" 'too'"
        let html: HTML = "<p>\(value)</p>"
        XCTAssertEqual(
            html.description, "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34; &#39;too&#39;</p>")
    }

    /// Plain text is skipped eight bytes at a time: every special byte is found at every offset
    /// of a word, and bytes that merely resemble one are left alone.
    func testEscapesAtEveryOffset() {
        let expected: [Character: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&#34;", "'": "&#39;", "\u{0}": "\u{FFFD}"]
        for (special, replacement) in expected {
            for k in 0..<20 {
                let pad = String(repeating: "a", count: k)
                let value = pad + String(special) + "bcdefghijklmnop=;%[]`"
                XCTAssertEqual(("\(value)" as HTML).description, pad + replacement + "bcdefghijklmnop=;%[]`")
            }
        }
        let lookalikes = "!#$%()*+,-./0123456789:;=?@[\\]^_`{|}~\u{7F}éあ\u{1}\u{1F}"
        XCTAssertEqual(("\(lookalikes)" as HTML).description, lookalikes)
    }

    func testAttributesCannotBeClosedWithEitherQuote() {
        let value = "\"><img src=x onerror=alert(1)>' onmouseover='alert(1)"
        let double: HTML = "<div title=\"\(value)\"></div>"
        let single: HTML = "<div title='\(value)'></div>"
        let escaped = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&#39; onmouseover=&#39;alert(1)"
        XCTAssertEqual(double.description, "<div title=\"\(escaped)\"></div>")
        XCTAssertEqual(single.description, "<div title='\(escaped)'></div>")
    }

    func testNulBecomesReplacementCharacterAndUnicodePassesThrough() {
        let html: HTML = "<p title=\"\("a\u{0}b")\">\("a\u{0}b") 👩‍👩‍👧 e\u{301}</p>"
        XCTAssertEqual(html.description, "<p title=\"a\u{FFFD}b\">a\u{FFFD}b 👩‍👩‍👧 e\u{301}</p>")
        let emoji = "👩‍👩‍👧 e\u{301} 中文"
        XCTAssertEqual(("<p>\(emoji)</p>" as HTML).description, "<p>\(emoji)</p>", "multi-byte text is not touched")
    }

    func testEntityLookalikesAreEscapedNotDecoded() {
        let html: HTML = "<p>\("&#106;&amp;")</p><a href=\"\("javascript&colon;alert(1)")\">x</a>"
        XCTAssertEqual(html.description, "<p>&amp;#106;&amp;amp;</p><a href=\"javascript&amp;colon;alert(1)\">x</a>")
    }

    func testDangerousURLSchemesAreBlockedInEverySpelling() {
        let blocked = [
            "javascript:alert(1)", "JaVaScRiPt:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)",
            "\njavascript:alert(1)", "\u{1}javascript:alert(1)", "\u{0}javascript:alert(1)", "java\tscript:alert(1)",
            "java\nscript:alert(1)", "java\rscript:alert(1)", "javascript\t:alert(1)", "data:text/html,<script>alert(1)</script>",
            "DATA:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox(1)", "file:///etc/passwd", "blob:https://x/y", "ｊavascript:alert(1)",
            ":relative-looking", "http\u{0}:x",
        ]
        for url in blocked {
            let templates: [(String) -> HTML] = [
                { u in "<a href=\"\(u)\">x</a>" }, { u in "<img src='\(u)'>" }, { u in "<form action=\"\(u)\"></form>" },
                { u in "<svg><a xlink:href=\"\(u)\"></a></svg>" }, { u in "<button formaction=\"\(u)\"></button>" },
            ]
            for template in templates {
                let html = template(url).description
                XCTAssertTrue(html.contains("about:invalid#blocked"), "\(url.debugDescription) passed: \(html)")
                XCTAssertFalse(html.lowercased().contains("script:"), html)
            }
        }
    }

    /// A character reference in a value is escaped, not decoded: the browser reads `&#106;` as
    /// the four characters it is, so the URL is a harmless relative one (`#` starts its fragment).
    func testCharacterReferencesInURLsStayText() {
        for (url, expected) in [
            ("&#106;avascript:alert(1)", "&amp;#106;avascript:alert(1)"), ("&#x6A;avascript:alert(1)", "&amp;#x6A;avascript:alert(1)"),
            ("jav&#x09;ascript:alert(1)", "jav&amp;#x09;ascript:alert(1)"), ("javascript&colon;alert(1)", "javascript&amp;colon;alert(1)"),
        ] {
            XCTAssertEqual(("<a href=\"\(url)\">x</a>" as HTML).description, "<a href=\"\(expected)\">x</a>")
        }
    }

    func testSafeURLsPassEscaped() {
        let cases: [(String, String)] = [
            ("https://ci.example.com/build/1?a=1&b=2", "https://ci.example.com/build/1?a=1&amp;b=2"),
            ("HTTP://example.com", "HTTP://example.com"),
            ("mailto:team@example.com", "mailto:team@example.com"),
            ("/runs/1?status=failed", "/runs/1?status=failed"),
            ("runs/1", "runs/1"),
            ("?q=javascript:alert(1)", "?q=javascript:alert(1)"),
            ("#javascript:x", "#javascript:x"),
            ("/x/javascript:alert(1)", "/x/javascript:alert(1)"),
            ("//cdn.example.com/a.png", "//cdn.example.com/a.png"),
            ("/a\"b'c<d>", "/a&#34;b&#39;c&lt;d&gt;"),
            ("", ""),
        ]
        for (url, expected) in cases {
            XCTAssertEqual(("<a href=\"\(url)\">x</a>" as HTML).description, "<a href=\"\(expected)\">x</a>", url)
        }
    }

    func testValuesInsideAURLAreOneEncodedComponent() {
        let id = "../../admin?x=1&y=javascript:alert(1)#\" onmouseover="
        let html: HTML = "<a href=\"/runs/\(id)?status=\(id)#\(id)\">x</a>"
        let encoded = "..%2F..%2Fadmin%3Fx%3D1%26y%3Djavascript%3Aalert%281%29%23%22%20onmouseover%3D"
        XCTAssertEqual(html.description, "<a href=\"/runs/\(encoded)?status=\(encoded)#\(encoded)\">x</a>")
        let two: HTML = "<a href=\"\("/base")\("/a b")\">x</a>"
        XCTAssertEqual(two.description, "<a href=\"/base%2Fa%20b\">x</a>", "only the first value is a whole URL")
        let number: HTML = "<a href=\"/runs/\(42)?page=\(-3)\">x</a>"
        XCTAssertEqual(number.description, "<a href=\"/runs/42?page=-3\">x</a>")
    }

    func testURLPathEncodesItsComponentsAndIsNotSchemeChecked() {
        let title = "a/b?c=d&e#f é"
        let path: URLPath = "/runs/\(title)/cases?sort=\(title)"
        XCTAssertEqual(path.description, "/runs/a%2Fb%3Fc%3Dd%26e%23f%20%C3%A9/cases?sort=a%2Fb%3Fc%3Dd%26e%23f%20%C3%A9")
        let hostile: URLPath = "\("javascript:alert(1)")"
        XCTAssertEqual(("<a href=\"\(hostile)\">x</a>" as HTML).description, "<a href=\"javascript%3Aalert%281%29\">x</a>")
        let query = URLPath("/runs").appendingQuery("status", "failed & flaky").appendingQuery("branch", nil)
            .appendingQuery("q", "x=y")
        XCTAssertEqual(query.description, "/runs?status=failed%20%26%20flaky&q=x%3Dy")
        XCTAssertEqual(
            ("<a href=\"\(query)\">\(query)</a>" as HTML).description,
            "<a href=\"/runs?status=failed%20%26%20flaky&amp;q=x%3Dy\">/runs?status=failed%20%26%20flaky&amp;q=x%3Dy</a>")
        let nested: URLPath = "\(URLPath("/runs/\(7)"))/cases/\(8 as Int64)"
        XCTAssertEqual(nested.description, "/runs/7/cases/8")
        XCTAssertEqual(
            URLComponent.encode("AZaz09-._~ /?#[]@!$&'()*+,;=%"), "AZaz09-._~%20%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25")
    }

    func testJSONInScriptCannotCloseItOrBreakParsing() throws {
        let value: JSON = [
            "title": "</script><script>alert(1)</script>", "comment": "<!-- <script>", "lines": "a\u{2028}b\u{2029}c",
            "amp": "a&b", "nested": ["</SCRIPT>", 1, 2.5, true, nil],
        ]
        let html: HTML = "<script type=\"application/json\" id=\"data\">\(json: value)</script>"
        let text = html.description
        XCTAssertEqual(text.components(separatedBy: "</script").count, 2, "only the template's own end tag: \(text)")
        XCTAssertFalse(text.lowercased().dropLast("</script>".count).contains("</script"))
        XCTAssertFalse(text.contains("<!--"))
        XCTAssertFalse(text.contains("\u{2028}") || text.contains("\u{2029}"))
        XCTAssertTrue(text.contains(#"\u003c/script\u003e"#) && text.contains(#"\u2028"#) && text.contains(#"\u0026"#))
        let inner = text.dropFirst("<script type=\"application/json\" id=\"data\">".count).dropLast("</script>".count)
        XCTAssertEqual(try JSON.parse(String(inner)), value, "the escapes still mean the same JSON")
        let ld: HTML = "<script type='application/ld+json'>\(json: ["a": "<b>"])</script>"
        XCTAssertEqual(ld.description, #"<script type='application/ld+json'>{"a":"\u003cb\u003e"}</script>"#)
    }

    func testJSONInAttributesAndTextIsEntityEscaped() {
        let html: HTML = "<div data-series='\(json: ["a": "it's <b>"])'>\(json: [1, "x"])</div>"
        XCTAssertEqual(html.description, "<div data-series='{&#34;a&#34;:&#34;it&#39;s &lt;b&gt;&#34;}'>[1,&#34;x&#34;]</div>")
    }

    func testNumbers() {
        let html: HTML = "<td data-n=\"\(1234)\">\(-5) \(Int64.max) \(UInt8(7)) \(12.5) \(1.0 / 3) \(-0.001) \(Double.nan)</td>"
        XCTAssertEqual(html.description, "<td data-n=\"1234\">-5 9223372036854775807 7 12.5 0.33 0 0</td>")
        XCTAssertEqual(("\(Int.min)" as HTML).description, "-9223372036854775808")
    }

    func testOptionalsAndSubstrings() {
        let missing: String? = nil
        let present: String? = "<x>"
        let sub = "a<b>c".dropFirst()
        XCTAssertEqual(("<p>\(missing)|\(present)|\(sub)</p>" as HTML).description, "<p>|&lt;x&gt;|&lt;b&gt;c</p>")
    }

    /// Every hostile value in every allowed context, read back by Python's tokenizer: the tokens
    /// are exactly the template's, and each value comes back as the text it was.
    func testHostileValuesRoundTripThroughAnIndependentParser() throws {
        try XCTSkipUnless(Python.available, "python3 is not installed")
        for value in Self.hostile {
            let html: HTML = """
                <div class="\(value)" title='\(value)'><a href="\(value)">\(value)</a>\
                <a href="/runs/\(value)?q=\(value)">\(value)</a><title>\(value)</title><textarea>\(value)</textarea>\
                <script type="application/json">\(json: ["v": .string(value)])</script><p>\(value)</p></div>
                """
            let shown = value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
            let encoded = URLComponent.encode(value)
            let href: String = {
                var copy = value
                return copy.withUTF8 { Escape.isSafeURL($0) } ? shown : "about:invalid#blocked"
            }()
            let head: [Python.Token] = [
                .start("div", [("class", shown), ("title", shown)]), .start("a", [("href", href)]), .text(shown), .end("a"),
                .start("a", [("href", "/runs/\(encoded)?q=\(encoded)")]), .text(shown), .end("a"),
                .start("title", []), .text(shown), .end("title"), .start("textarea", []), .text(shown), .end("textarea"),
                .start("script", [("type", "application/json")]),
            ].filter { $0 != .text("") }
            let tail: [Python.Token] = [.end("script"), .start("p", []), .text(shown), .end("p"), .end("div")].filter { $0 != .text("") }
            let tokens = try Python.htmlTokens(html.bytes).filter { $0 != .text("") }
            guard tokens.count == head.count + 1 + tail.count else {
                return XCTFail("unexpected tokens for \(value.debugDescription): \(tokens)")
            }
            XCTAssertEqual(Array(tokens.prefix(head.count)), head, value.debugDescription)
            guard case .text(let json) = tokens[head.count] else { return XCTFail("no JSON for \(value.debugDescription)") }
            XCTAssertEqual(try JSON.parse(json)["v"]?.stringValue, value)
            XCTAssertEqual(Array(tokens.suffix(tail.count)), tail, value.debugDescription)
        }
    }
}
