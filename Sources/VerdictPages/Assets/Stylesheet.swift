/// The dashboard's one stylesheet. Colours live in custom properties so dark mode is a second
/// palette, not a second stylesheet; statuses always come with a glyph and a word as well.
enum Stylesheet {
    static let text = #"""
        :root {
          color-scheme: light dark;
          --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --card: #f6f8fa; --accent: #0969da;
          --passed: #1a7f37; --failed: #cf222e; --errored: #8250df; --flaky: #9a6700; --skipped: #6e7781; --running: #0969da;
          --incomplete: #bc4c00; --completed: #1a7f37; --code-bg: #f6f8fa; --focus: #0969da;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
          font-size: 15px; line-height: 1.5;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --card: #151b23; --accent: #4493f8;
            --passed: #3fb950; --failed: #f85149; --errored: #ab7df8; --flaky: #d29922; --skipped: #9198a1; --running: #4493f8;
            --incomplete: #db6d28; --completed: #3fb950; --code-bg: #151b23; --focus: #4493f8;
          }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg); }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        :focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .25rem .5rem; z-index: 10; }
        header.top { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--border);
          background: var(--card); }
        header.top .brand { font-weight: 700; color: var(--fg); }
        header.top nav { display: flex; gap: 1rem; flex-wrap: wrap; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
        footer { max-width: 1200px; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: .85rem; }
        h1 { font-size: 1.5rem; margin: .25rem 0 .5rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
        .muted { color: var(--muted); }
        .crumbs { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
        .crumbs > :not(:first-child)::before { content: "/"; color: var(--muted); padding: 0 .35rem; }
        .meta { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; color: var(--muted); margin: .25rem 0 1rem; }
        .meta b { color: var(--fg); font-weight: 600; }
        .card { border: 1px solid var(--border); border-radius: 6px; background: var(--card); padding: .75rem 1rem; margin: .75rem 0; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 480px), 1fr)); gap: .75rem; }
        .cards th, .cards td { padding: .3rem .4rem; }
        .cards .card { margin: 0; }
        .card h2 { margin-top: 0; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: .92rem; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .status { font-weight: 600; white-space: nowrap; }
        .status-passed, .status-completed { color: var(--passed); }
        .status-failed { color: var(--failed); }
        .status-errored { color: var(--errored); }
        .status-flaky { color: var(--flaky); }
        .status-skipped { color: var(--skipped); }
        .status-running { color: var(--running); }
        .status-incomplete { color: var(--incomplete); }
        svg.totalsbar { display: block; width: 100%; height: .6rem; border-radius: 3px; background: var(--border); margin: .4rem 0; }
        svg.totalsbar .bar-passed { fill: var(--passed); }
        svg.totalsbar .bar-failed { fill: var(--failed); }
        svg.totalsbar .bar-errored { fill: var(--errored); }
        svg.totalsbar .bar-flaky { fill: var(--flaky); }
        svg.totalsbar .bar-skipped { fill: var(--skipped); }
        .counts { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-variant-numeric: tabular-nums; }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0 1rem; }
        form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
        input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border);
          border-radius: 6px; padding: .3rem .5rem; }
        button { cursor: pointer; background: var(--card); }
        .failure { border-left: 3px solid var(--failed); padding: .5rem .75rem; margin: .75rem 0; background: var(--card);
          border-radius: 0 6px 6px 0; }
        .failure.errored { border-left-color: var(--errored); }
        .failure.flaky { border-left-color: var(--flaky); }
        .failure:focus { outline: 2px solid var(--focus); }
        .failure h3 { font-size: 1rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
        .message { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
        pre { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: .5rem; overflow-x: auto;
          font-size: .82rem; line-height: 1.4; margin: .25rem 0; white-space: pre; }
        details > summary { cursor: pointer; color: var(--accent); }
        .badge { display: inline-block; border: 1px solid currentColor; border-radius: 999px; padding: 0 .45rem; font-size: .78rem;
          font-weight: 600; }
        .group { margin: 1rem 0 .25rem; font-weight: 600; overflow-wrap: anywhere; }
        .clusters { padding-left: 1.25rem; }
        .cluster { margin: .5rem 0; overflow-wrap: anywhere; }
        .cluster .count { font-weight: 600; }
        .cluster .template { white-space: pre-wrap; }
        .cluster-summary { margin: .25rem 0; white-space: pre-wrap; }
        .badge.new { color: var(--failed); }
        .pager { display: flex; gap: 1rem; margin: 1rem 0; }
        .attachments { display: flex; flex-wrap: wrap; gap: .75rem; margin: .5rem 0; }
        .attachments figure { margin: 0; max-width: 100%; }
        .attachments img, .attachments video { max-width: min(100%, 640px); height: auto; border: 1px solid var(--border);
          border-radius: 4px; display: block; }
        .attachments figcaption { font-size: .85rem; color: var(--muted); overflow-wrap: anywhere; }
        .kpis { display: flex; flex-wrap: wrap; gap: 1.5rem; margin: .5rem 0 1rem; }
        .kpis div { display: flex; flex-direction: column; }
        .kpis b { font-size: 1.3rem; font-variant-numeric: tabular-nums; }
        .live { font-size: .8rem; color: var(--muted); }
        .live[data-state="live"]::before { content: "● "; color: var(--passed); }
        svg.chart { max-width: 100%; height: auto; display: block; }
        .empty { color: var(--muted); padding: 1rem 0; }
        @media (max-width: 600px) {
          main { padding: .6rem; }
          th.optional, td.optional { display: none; }
          h1 { font-size: 1.25rem; }
        }
        """#
}
