import HTTPContract
import LambdaRuntime
import VerdictCore
import VerdictHTML

/// The small pieces every page is made of.
enum Components {
    /// A status as glyph, word and colour, so it reads without the colour.
    static func status(_ status: CaseStatus) -> HTML {
        let shown = ResultStatus(rawValue: status.rawValue) ?? .skipped
        return "<span class=\"status \(shown.cssClass)\">\(shown.glyph) \(status.rawValue)</span>"
    }

    static func status(_ status: RunStatus) -> HTML {
        let glyph: String
        switch status {
        case .running: glyph = "●"
        case .completed: glyph = "■"
        case .incomplete: glyph = "◌"
        }
        return "<span class=\"status status-\(status.rawValue)\">\(glyph) \(status.rawValue)</span>"
    }

    /// A run's or report's outcome: failures win, then flaky, else passed; nothing ran reads as
    /// skipped.
    static func verdict(_ totals: ResultTotals) -> CaseStatus {
        if totals.failed > 0 { return .failed }
        if totals.errors > 0 { return .errored }
        if totals.flaky > 0 { return .flaky }
        if totals.passed > 0 { return .passed }
        return .skipped
    }

    /// The totals as one proportional bar (drawn in SVG: the page's policy allows no inline style).
    static func totalsBar(_ totals: ResultTotals) -> HTML {
        let parts: [(String, Int)] = [
            ("passed", totals.passed), ("flaky", totals.flaky), ("failed", totals.failed), ("errored", totals.errors),
            ("skipped", totals.skipped),
        ]
        let total = max(parts.reduce(0) { $0 + $1.1 }, 1)
        var x = 0.0
        var rects = HTML()
        for (name, count) in parts where count > 0 {
            let width = Double(count) * 1000 / Double(total)
            rects.append("<rect class=\"bar-\(name)\" x=\"\(x)\" y=\"0\" width=\"\(width)\" height=\"10\"/>")
            x += width
        }
        return """
            <svg class="totalsbar" viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" \
            aria-label="\(describe(totals))"><title>\(describe(totals))</title>\(rects)</svg>
            """
    }

    static func describe(_ totals: ResultTotals) -> String {
        "\(Format.count(totals.tests)) tests: \(Format.count(totals.passed)) passed, \(Format.count(totals.failed)) failed, "
            + "\(Format.count(totals.errors)) errored, \(Format.count(totals.flaky)) flaky, \(Format.count(totals.skipped)) skipped"
    }

    /// The counts, each marked with what it counts so a live update can find it.
    static func counts(_ totals: ResultTotals) -> HTML {
        """
        <div class="counts">\
        <span data-count="tests"><b>\(Format.count(totals.tests))</b> tests</span>\
        <span class="status-passed" data-count="passed">✓ <b>\(Format.count(totals.passed))</b> passed</span>\
        <span class="status-failed" data-count="failed">✗ <b>\(Format.count(totals.failed))</b> failed</span>\
        <span class="status-errored" data-count="errors">! <b>\(Format.count(totals.errors))</b> errored</span>\
        <span class="status-flaky" data-count="flaky">≈ <b>\(Format.count(totals.flaky))</b> flaky</span>\
        <span class="status-skipped" data-count="skipped">– <b>\(Format.count(totals.skipped))</b> skipped</span>\
        </div>
        """
    }

    static func passRate(_ totals: ResultTotals) -> String {
        totals.passRate.map { Format.percent($0) } ?? "–"
    }

    /// A time in the reader's zone once the script runs; UTC text without it.
    static func time(_ rfc3339: String?) -> HTML {
        guard let rfc3339 else { return "–" }
        return "<time datetime=\"\(rfc3339)\">\(utcText(rfc3339))</time>"
    }

    /// `2026-12-06 06:50 UTC`.
    static func utcText(_ rfc3339: String) -> String {
        guard rfc3339.utf8.count >= 16 else { return rfc3339 }
        return String(rfc3339.prefix(10)) + " " + String(rfc3339.dropFirst(11).prefix(5)) + " UTC"
    }

    /// How long ago, in the largest unit that fits ("3 h ago").
    static func age(_ rfc3339: String, now: Int64 = WallClock.nowMilliseconds()) -> String {
        guard let then = EpochMilliseconds.parse(rfc3339) else { return utcText(rfc3339) }
        let seconds = max(0, (now - then) / 1000)
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3600) h ago"
        case ..<(86_400 * 60): return "\(seconds / 86_400) d ago"
        default: return utcText(rfc3339).prefix(10).description
        }
    }

    static func duration(_ milliseconds: Double?) -> String {
        milliseconds.map { Format.duration(milliseconds: $0) } ?? "–"
    }

    static func shortCommit(_ sha: String) -> String { String(sha.prefix(8)) }

    /// "Newer" and "older" links of a keyset-paginated list.
    static func pager(next: URLPath?, first: URLPath?) -> HTML {
        guard next != nil || first != nil else { return .empty }
        var html: HTML = "<nav class=\"pager\" aria-label=\"Pages\">"
        if let first { html.append("<a href=\"\(first)\">← First page</a>") }
        if let next { html.append("<a href=\"\(next)\" rel=\"next\">Next page →</a>") }
        html.append("</nav>")
        return html
    }
}
