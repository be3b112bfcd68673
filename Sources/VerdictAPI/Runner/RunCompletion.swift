import VerdictCore

extension InvocationContext {
    /// What a run's completion sets off besides its live event: its project's quality gates
    /// judge it and the verdicts are stored. Best effort like `publish`: the request that
    /// completed the run has succeeded either way, and the gates can be evaluated again on
    /// demand (`POST /api/v1/runs/{id}/gates/evaluate`).
    public func runCompleted(_ runID: RunID) {
        do {
            try GateRunner(db: try database()).evaluateCompleted(runID)
        } catch {
            logger.error("quality gates of a completed run not evaluated", metadata: ["run_id": "\(runID.text)", "error": "\(error)"])
        }
    }
}
