import VerdictAPI

await HTTPFunction.run { ListRuns() }
