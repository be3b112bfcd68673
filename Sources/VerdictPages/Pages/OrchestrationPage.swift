import LambdaRuntime
import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictJSON

/// `/runs/{id}/orchestration`: how a sharded run is going. Units by state, the workers and what
/// each ran, units no worker can take, a timeline with one lane per worker, and the units that
/// did not simply pass; live while it runs.
public struct OrchestrationPage: PageRenderer {
    static let timelineTries = 2_000
    static let unitsShown = 200

    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let db = try context.database()
        let runID = try request.pathID("id", as: RunID.self)
        let run = try RunQueries(db: db).get(runID, as: context.access).run
        let read = OrchestrationRead(db: db)
        let view = try read.view(of: run)
        // Failures first, then what is still open.
        let failing = try read.units(of: run, states: [.failed, .errored, .flaky, .abandoned], limit: Self.unitsShown, after: nil)
        let open = try read.units(of: run, states: [.leased, .pending], limit: max(1, Self.unitsShown - failing.items.count), after: nil)
        let notPassed = Page(
            items: failing.items + open.items, nextCursor: failing.nextCursor ?? open.nextCursor)
        let timeline = try read.timeline(of: run, limit: Self.timelineTries)
        let title = RunPage.title(run)
        var body = HTML(reservingCapacity: 32 * 1024)
        body.append(
            """
            <h1>Orchestration of \(title)</h1>
            <p class="meta"><span>\(status(view.status))\(if: view.stopReason != nil, " (stopped: \(view.stopReason ?? ""))")</span>\
            <span>Started \(Components.time(view.createdAt))</span>\
            \(if: view.completedAt != nil, "<span>Ended \(Components.time(view.completedAt))</span>")\
            <span><a href="\(URLPath("/runs/\(runID.text)"))">The run's results</a></span>\
            <span class="live" data-live-status aria-live="polite"></span></p>
            """)
        body.append(counts(view))
        body.append(workers(view))
        body.append(timelineSection(view, timeline))
        body.append(unitList(notPassed))
        let live: JSON = [
            "active": .bool(view.status == .running), "websocket": JSON(context.settings.liveURL),
            "subscribe": ["action": "subscribe", "run_id": .string(runID.text)],
        ]
        return HTMLPage(
            title: "Orchestration · \(title)",
            crumbs: [
                ("Projects", "/"), (run.project, "/projects/\(run.projectID.text)"), (title, "/runs/\(runID.text)"), ("Orchestration", nil),
            ],
            body: body, live: live)
    }

    func status(_ status: OrchestrationStatus) -> HTML {
        let glyph: String
        switch status {
        case .running: glyph = "●"
        case .completed: glyph = "■"
        case .timedOut, .cancelled: glyph = "◌"
        }
        return
            "<span class=\"status status-\(status == .running ? "running" : status == .completed ? "completed" : "incomplete")\">\(glyph) \(status.rawValue.replacingUnderscores())</span>"
    }

    func counts(_ view: OrchestrationView) -> HTML {
        let done = UnitState.allCases.filter(\.isFinal).reduce(0) { $0 + (view.counts[$1] ?? 0) }
        return """
            <section id="units-summary" class="card" data-live-region aria-label="Units by state">
            <p><b>\(Format.count(done))</b> of <b>\(Format.count(view.unitsTotal))</b> units decided · \
            retests \(view.options.retests) · lease \(view.options.leaseSeconds) s\
            \(if: view.options.failFast != nil, " · fail fast after \(view.options.failFast ?? 0)")</p>
            <dl class="kpis">\(each: UnitState.allCases, { state in
                "<div><dt class=\"muted\">\(state.rawValue)</dt><dd><b>\(Format.count(view.counts[state] ?? 0))</b></dd></div>"
            })</dl>
            \(if: !view.unplaceable.isEmpty, "<p class=\"message\" role=\"alert\">No worker seen so far has the labels of \(Format.count(view.unplaceable.count)) pending unit(s): \(view.unplaceable.prefix(10).joined(separator: ", "))</p>")
            </section>
            """
    }

    func workers(_ view: OrchestrationView) -> HTML {
        """
        <section id="workers" data-live-region aria-labelledby="workers-title">
        <h2 id="workers-title">Workers <span class="muted">(\(Format.count(view.workers.count)))</span></h2>
        \(if: view.workers.isEmpty, "<p class=\"empty\">No worker has checked out yet.</p>")\
        \(if: !view.workers.isEmpty, workerTable(view.workers))
        </section>
        """
    }

    func workerTable(_ workers: [WorkerView]) -> HTML {
        """
        <div class="scroll"><table>
        <thead><tr><th scope="col">Worker</th><th scope="col" class="optional">Labels</th><th scope="col" class="num">Tries</th>\
        <th scope="col" class="num">Passed</th><th scope="col" class="num">Failed</th><th scope="col" class="num optional">Busy</th>\
        <th scope="col">Now</th><th scope="col" class="optional">Last seen</th></tr></thead>
        <tbody>\(each: workers, workerRow)</tbody></table></div>
        """
    }

    func workerRow(_ worker: WorkerView) -> HTML {
        let labels = worker.labels.keys.sorted().map { "\($0)=\(worker.labels[$0]!)" }.joined(separator: " ")
        let now: HTML = worker.lease.map { "leased \(Format.count($0.units)) unit(s)" } ?? "<span class=\"muted\">idle</span>"
        return """
            <tr><td>\(worker.name)</td><td class="optional">\(labels)</td><td class="num">\(Format.count(worker.tries))</td>\
            <td class="num">\(Format.count(worker.passed))</td><td class="num">\(Format.count(worker.failed))</td>\
            <td class="num optional">\(Components.duration(worker.busyMs))</td><td>\(now)</td>\
            <td class="optional">\(Components.time(worker.lastSeen))</td></tr>
            """
    }

    func timelineSection(_ view: OrchestrationView, _ bars: [TimelineBar]) -> HTML {
        var lanes: [String] = view.workers.map(\.name)
        var laneOf: [String: Int] = [:]
        for (index, lane) in lanes.enumerated() { laneOf[lane] = index }
        for bar in bars where laneOf[bar.worker] == nil {
            laneOf[bar.worker] = lanes.count
            lanes.append(bar.worker)
        }
        let chart = Timeline(
            lanes: lanes,
            bars: bars.map { bar in
                Timeline.Bar(
                    lane: laneOf[bar.worker]!, startMs: bar.startMs, endMs: bar.endMs, status: bar.outcome.flatMap(ResultStatus.init),
                    title: "\(bar.unit): \(bar.outcome ?? "running")")
            }, label: "tries by worker", nowMs: WallClock.nowMilliseconds())
        return """
            <section id="timeline" data-live-region aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <p class="muted">One lane per worker; each bar is a try of a unit\(if: bars.count >= Self.timelineTries, " (the latest \(Format.count(Self.timelineTries)))").</p>
            <div class="scroll">\(chart.render())</div>
            </section>
            """
    }

    func unitList(_ page: Page<UnitView>) -> HTML {
        """
        <section id="units" data-live-region aria-labelledby="units-title">
        <h2 id="units-title">Units that did not simply pass</h2>
        \(if: page.items.isEmpty, "<p class=\"empty\">Every decided unit passed.</p>")\
        \(if: !page.items.isEmpty, unitTable(page))
        </section>
        """
    }

    func unitTable(_ page: Page<UnitView>) -> HTML {
        """
        <div class="scroll"><table>
        <thead><tr><th scope="col">Unit</th><th scope="col">State</th><th scope="col">Tries</th>\
        <th scope="col" class="optional">Last error</th></tr></thead>
        <tbody>\(each: page.items, unitRow)</tbody></table></div>
        \(if: page.nextCursor != nil, "<p class=\"muted\">The first \(Format.count(Self.unitsShown)); the API lists them all.</p>")
        """
    }

    func unitRow(_ unit: UnitView) -> HTML {
        let tries = unit.attempts.map { "\($0.worker): \($0.outcome ?? "running")" }.joined(separator: ", ")
        let error = unit.attempts.last { $0.error != nil }?.error ?? ""
        let shown = ResultStatus(rawValue: unit.state.rawValue)
        return """
            <tr><td><code>\(unit.id)</code></td>\
            <td><span class="status \(shown?.cssClass ?? "status-running")">\(shown?.glyph ?? "●") \(unit.state.rawValue)</span></td>\
            <td>\(tries)</td><td class="optional">\(String(error.prefix(300)))</td></tr>
            """
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
