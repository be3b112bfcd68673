import VerdictAPI

await LambdaRuntime.run { ReapStaleRuns() }
