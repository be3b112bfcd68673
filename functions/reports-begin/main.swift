import VerdictAPI

await HTTPFunction.run { BeginRun() }
