import VerdictAPI

await HTTPFunction.run { Ready() }
