import VerdictAPI

await JobFunction.run(ReapStaleRuns())
