import VerdictAPI

await HTTPFunction.run { ListRunCases() }
