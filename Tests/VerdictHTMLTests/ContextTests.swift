import XCTest

@testable import VerdictHTML

/// The state machine that picks each interpolation's escaping. A refused context stops the
/// process, which XCTest cannot catch, so the classification is tested here directly.
final class ContextTests: XCTestCase {
    private func assert(_ expected: HTMLContext.Kind, _ prefixes: [String], file: StaticString = #filePath, line: UInt = #line) {
        for prefix in prefixes {
            XCTAssertEqual(HTMLContext.after(prefix).kind, expected, prefix.debugDescription, file: file, line: line)
        }
    }

    func testText() {
        assert(
            .text,
            [
                "", "plain", "<p>", "<p class=\"a\">x", "a < b", "a <3", "1 <= 2", "<br/>", "<a href=\"x\">", "</div>", "</div >",
                "<input value=\"a>b\">", "<p title=\"it's\">", "<p title='say \"hi\"'>", "<!-- c -->", "<!---->", "<!-->",
                "<!--->", "<!-- a --!>", "<!DOCTYPE html>", "<?xml version=\"1.0\"?>", "<![CDATA[ x ]]>", "</ >", "<title>",
                "<textarea>", "<svg><title>", "<script></script>", "<script>x</SCRIPT >", "<script type=\"application/json\">{}</script>",
                "<style>a{}</style>", "<iframe></iframe>", "<div hidden>", "<div hidden >", "<img src=x>", "<a\nhref\n=\n'x'\n>",
            ])
    }

    func testQuotedAttributeValues() {
        assert(
            .attribute,
            [
                "<div class=\"", "<div class='", "<div class=\"a ", "<div class = \"", "<div data-href=\"", "<a title=\"x\" id='",
                "<div CLASS=\"", "<img alt=\"", "<meta content=\"", "<a hreflang=\"",
                "<div onx:y=\"".replacingOccurrences(of: "onx:y", with: "aria-label"),
                "<script type=\"", "<input value=\"<a href='",
            ])
    }

    func testURLAttributes() {
        assert(
            .urlAttribute(atStart: true),
            [
                "<a href=\"", "<a HREF='", "<a title=\"x\" href=\"", "<img src=\"", "<form action='", "<button formaction=\"",
                "<video poster=\"", "<blockquote cite=\"", "<svg><a xlink:href=\"", "<svg><use href='", "<img srcset=\"",
                "<object data=\"", "<link rel=\"stylesheet\" href=\"", "<a href = \"",
            ])
        assert(.urlAttribute(atStart: false), ["<a href=\"/runs/", "<a href=\"?q=", "<img src='x"])
    }

    /// The classifier compares names as packed integers; every name it knows is checked here,
    /// in both cases, with its neighbours that must not match.
    func testEveryKnownAttributeName() {
        let urls = [
            "href", "src", "action", "formaction", "poster", "cite", "background", "longdesc", "usemap", "codebase", "classid", "archive",
            "data", "manifest", "icon", "ping", "profile", "lowsrc", "dynsrc", "srcset", "xlink:href", "xml:base", "to", "from",
            "values", "by",
        ]
        for name in urls {
            assert(.urlAttribute(atStart: true), ["<x \(name)=\"", "<x \(name.uppercased())='"])
            assert(.attribute, ["<x \(name)s=\"", "<x \(name.dropLast())=\"", "<x data-\(name)=\""])
        }
        assert(.styleAttribute, ["<x style=\"", "<x STYLE=\""])
        assert(.attribute, ["<x styles=\"", "<x srcdocs=\"", "<x type=\"", "</script type=\""])
        assert(.srcdocAttribute, ["<x srcdoc=\""])
    }

    /// Names are packed a word at a time where the literal is long enough, byte by byte
    /// elsewhere; both must give the same name.
    func testNamesPackTheSameWordWiseAndByteWise() {
        let letters = Array("aZ-:09_Az@[`{\u{7F}".utf8) + [0xC3, 0xA9]
        for length in 1...24 {
            for shift in 0..<letters.count {
                let name = (0..<length).map { letters[($0 + shift) % letters.count] }
                let padded = name + Array(repeating: UInt8(ascii: " "), count: 20)
                var wordWise = ShortName()
                var byteWise = ShortName()
                padded.withUnsafeBufferPointer { buffer in
                    wordWise.append(lowercasing: buffer.baseAddress!, from: 0, to: length, available: buffer.count)
                    byteWise.append(lowercasing: buffer.baseAddress!, from: 0, to: length, available: length)
                }
                var expected = ShortName()
                for byte in name { expected.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
                XCTAssertEqual(wordWise, expected, "\(name)")
                XCTAssertEqual(byteWise, expected, "\(name)")
            }
        }
        XCTAssertEqual(
            HTMLContext.after("<A HREF=\"https://example.com/a/long/literal/so/the/name/is/read/a/word/at/a/time\" ONCLICK=\"").kind,
            .eventHandlerAttribute)
        XCTAssertEqual(HTMLContext.after("<SVG><A XLINK:HREF=\"").kind, .urlAttribute(atStart: true))
    }

    func testScriptsAndRawText() {
        assert(
            .scriptData,
            [
                "<script>", "<SCRIPT>", "<script type=\"text/javascript\">", "<script type=\"module\">", "<script type=importmap>",
                "<script type=\"application/json\" type=\"text/javascript\">",
                "<script type=\"text/javascript\" type=\"application/json\">",
                "<script>var a = '</scriptx>';", "<script>'</script'", "<script>if (a<b) {", "<script src=\"x\">", "<svg><script>",
                "<script type=\"application/jsonx\">", "<script/>", "<script><!--<script></script>",
                "<script type=\"application/json\"><!--</script>", "<script><!-- --></script>",
            ])
        assert(
            .jsonScript,
            [
                "<script type=\"application/json\">", "<SCRIPT TYPE='Application/JSON'>", "<script id=\"d\" type=\"application/ld+json\">",
                "<script type=application/json>", "<script type=\"application/json\">{\"a\":",
            ])
        assert(
            .rawText,
            [
                "<style>", "<style media=\"x\">", "<style>a{}</styl", "<iframe>", "<noscript>", "<xmp>", "<noembed>", "<noframes>",
                "<plaintext>", "<plaintext></plaintext>", "<style></script>",
            ])
    }

    func testRefusedPositions() {
        assert(.tagName, ["<", "</", "<d", "<div", "</di", "<svg:a"])
        assert(
            .attributeName,
            ["<div ", "<div cla", "<div class", "<div class ", "<div class=\"x\"", "<div class=\"x\" ", "<a/", "<input disabled"])
        assert(.unquotedAttribute, ["<a href=", "<a href= ", "<a href=x", "<div class=a", "<a href=/runs/"])
        assert(
            .eventHandlerAttribute,
            ["<a onclick=\"", "<body ONLOAD='", "<svg onload=\"", "<img onerror=\"x", "<div onmouseover='", "<a on=\""])
        assert(.styleAttribute, ["<div style=\"", "<div STYLE='color:"])
        assert(.srcdocAttribute, ["<iframe srcdoc=\"", "<iframe SrcDoc='<p>"])
        assert(.comment, ["<!", "<!-", "<!--", "<!-- x", "<!-- -- >", "<!DOCTYPE ", "<?php", "<![CDATA[", "<![CDATA[ ]] >", "</ "])
    }

    /// Interpolations move a value off its start, so a second value in an `href` is a component.
    func testInterpolationMovesAURLOffItsStart() {
        var context = HTMLContext.after("<a href=\"")
        context.noteInterpolation(wroteBytes: false)
        XCTAssertEqual(context.kind, .urlAttribute(atStart: true), "an empty value leaves the start where it was")
        context.noteInterpolation(wroteBytes: true)
        XCTAssertEqual(context.kind, .urlAttribute(atStart: false))
    }

    /// A script's `type` written by an interpolation is not a literal, so the script is not
    /// known to be JSON.
    func testInterpolatedScriptTypeIsNotTrusted() {
        var context = HTMLContext.after("<script type=\"")
        context.noteInterpolation(wroteBytes: true)
        var rest = "\">"
        rest.withUTF8 { context.advance(over: $0) }
        XCTAssertEqual(context.kind, .scriptData)
    }

    func testContextNamesForMessages() {
        XCTAssertEqual(HTMLContext.after("<script>").name, "a <script>")
        XCTAssertEqual(HTMLContext.after("<a onclick=\"").name, "an on… event-handler attribute")
        XCTAssertEqual(HTMLContext.after("<a href=").name, "an unquoted attribute value")
    }
}
