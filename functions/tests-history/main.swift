import VerdictAPI

await HTTPFunction.run { GetTestHistory() }
