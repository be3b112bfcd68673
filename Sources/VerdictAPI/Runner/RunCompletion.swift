import VerdictCore
import VerdictJSON

extension InvocationContext {
    /// What a run's completion sets off, after the response that completed it has gone out (an
    /// upload's last shard answers as soon as its rows are stored): the branch's flaky watch
    /// list takes the run (and quarantines or releases tests), then the project's quality gates
    /// judge the run and the verdicts are stored, quarantine known; then `events` go out, so a
    /// page that reloads on `run.completed` finds all of it done. Best effort like `publish`:
    /// the request that completed the run has succeeded either way, and the gates can be
    /// evaluated again on demand (`POST /api/v1/runs/{id}/gates/evaluate`). Both are idempotent,
    /// so a retried request that calls this again changes nothing.
    public func runCompleted(_ runID: RunID, announcing events: [(type: LiveEventType, details: JSONObject)]) {
        let context = self
        resources.runAfterResponse {
            context.updateInsights(of: runID)
            context.publish(events, run: runID)
        }
    }

    func updateInsights(of runID: RunID) {
        let started = WallClock.nowMilliseconds()
        do {
            let update = try FlakinessWatch(db: try database()).runCompleted(runID)
            if update.appended > 0 || update.dropped > 0 {
                logger.info(
                    "flaky watch list updated",
                    metadata: [
                        "run_id": "\(runID.text)", "appended": "\(update.appended)", "entered": "\(update.entered)",
                        "dropped": "\(update.dropped)", "quarantined": "\(update.quarantined.count)",
                        "released": "\(update.released.count)", "duration_ms": "\(WallClock.nowMilliseconds() - started)",
                    ])
            }
        } catch {
            logger.error("flaky watch list not updated", metadata: ["run_id": "\(runID.text)", "error": "\(error)"])
        }
        do {
            try GateRunner(db: try database()).evaluateCompleted(runID)
        } catch {
            logger.error("quality gates of a completed run not evaluated", metadata: ["run_id": "\(runID.text)", "error": "\(error)"])
        }
    }
}
