import VerdictAPI

await HTTPFunction.run { ListRunSuites() }
