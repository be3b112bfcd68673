import XCTest

@testable import VerdictHTML

final class BuilderTests: XCTestCase {
    struct Run {
        var id: Int
        var name: String
        var failed: Bool
    }

    let runs = [Run(id: 1, name: "<main>", failed: false), Run(id: 2, name: "pr & 'fix'", failed: true)]

    func testFragmentsComposeInText() {
        let items: HTML = "<ul>\(each: runs, { run in "<li>\(run.name)\(if: run.failed, " <b>failed</b>")</li>" })</ul>"
        XCTAssertEqual(items.description, "<ul><li>&lt;main&gt;</li><li>pr &amp; &#39;fix&#39; <b>failed</b></li></ul>")
        let mapped: HTML = "<ul>\(runs.map { run -> HTML in "<li>\(run.id)</li>" })</ul>"
        XCTAssertEqual(mapped.description, "<ul><li>1</li><li>2</li></ul>")
        let inner: HTML = "<em>\("<x>")</em>"
        XCTAssertEqual(("<p>\(inner)</p>" as HTML).description, "<p><em>&lt;x&gt;</em></p>", "HTML is appended as it is")
        let choice: HTML = "<p>\(if: false, "yes", else: "<i>no</i>")</p>"
        XCTAssertEqual(choice.description, "<p><i>no</i></p>")
    }

    func testJoinAndAppend() {
        let parts: [HTML] = ["<b>a</b>", "b", "<i>c</i>"]
        XCTAssertEqual(HTML.join(parts, separator: ", ").description, "<b>a</b>, b, <i>c</i>")
        XCTAssertEqual(HTML.join([HTML]()).description, "")
        var page = HTML(reservingCapacity: 1024)
        XCTAssertTrue(page.isEmpty)
        page.append("<main>")
        page.append(contentsOf: parts)
        page.append("</main>")
        XCTAssertEqual(page.description, "<main><b>a</b>b<i>c</i></main>")
        XCTAssertEqual(page.count, page.bytes.count)
    }

    func testBooleanAttributes() {
        let selected = true
        let html: HTML = """
            <option value="\("a\"b")"\(attribute: "selected", if: selected)\(attribute: "disabled", if: false)>x</option>\
            <details \(attribute: "open", if: true)><summary>s</summary></details>
            """
        XCTAssertEqual(html.description, "<option value=\"a&#34;b\" selected>x</option><details  open><summary>s</summary></details>")
    }

    func testChartStyleIsPlainCSSWithADarkPalette() {
        let css = ChartStyle.css
        XCTAssertFalse(css.contains("<"), "served as a file, not an element")
        XCTAssertTrue(css.contains("prefers-color-scheme:dark"))
    }

    func testFormat() {
        XCTAssertEqual(Format.count(0), "0")
        XCTAssertEqual(Format.count(999), "999")
        XCTAssertEqual(Format.count(1234), "1,234")
        XCTAssertEqual(Format.count(-1_234_567), "-1,234,567")
        XCTAssertEqual(Format.count(100_000), "100,000")
        XCTAssertEqual(Format.decimal(12.5), "12.5")
        XCTAssertEqual(Format.decimal(3), "3")
        XCTAssertEqual(Format.decimal(-0.004), "0")
        XCTAssertEqual(Format.decimal(2.675, maxFractionDigits: 1), "2.7")
        XCTAssertEqual(Format.decimal(.infinity), "–")
        XCTAssertEqual(Format.fixed(12.5, fractionDigits: 2), "12.50")
        XCTAssertEqual(Format.fixed(-1, fractionDigits: 1), "-1.0")
        XCTAssertEqual(Format.fixed(7, fractionDigits: 0), "7")
        XCTAssertEqual(Format.percent(0.984), "98.4%")
        XCTAssertEqual(Format.percent(1), "100%")
        XCTAssertEqual(Format.percent(0), "0%")
        XCTAssertEqual(Format.percent(0.92), "92%")
        XCTAssertEqual(Format.percent(0.99999), "99.9%", "not all passed, so not 100%")
        XCTAssertEqual(Format.percent(0.000_01), "0.1%", "something passed, so not 0%")
        XCTAssertEqual(Format.percent(0.5, maxFractionDigits: 0), "50%")
        XCTAssertEqual(Format.percent(0.996, maxFractionDigits: 0), "99%")
        XCTAssertEqual(Format.percent(.nan), "–")
        XCTAssertEqual(Format.duration(milliseconds: 0), "0 ms")
        XCTAssertEqual(Format.duration(milliseconds: 0.42), "0.4 ms")
        XCTAssertEqual(Format.duration(milliseconds: 850), "850 ms")
        XCTAssertEqual(Format.duration(milliseconds: 999.6), "1 s")
        XCTAssertEqual(Format.duration(milliseconds: 12_500), "12.5 s")
        XCTAssertEqual(Format.duration(milliseconds: 12_000), "12 s")
        XCTAssertEqual(Format.duration(milliseconds: 59_960), "1 min")
        XCTAssertEqual(Format.duration(milliseconds: 125_000), "2 min 5 s")
        XCTAssertEqual(Format.duration(milliseconds: 3_720_000), "1 h 2 min")
        XCTAssertEqual(Format.duration(milliseconds: 7_200_000), "2 h")
        XCTAssertEqual(Format.duration(milliseconds: -1500), "-1.5 s")
        XCTAssertEqual(Format.duration(milliseconds: 42), "42 ms")
    }
}
