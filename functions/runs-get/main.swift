import VerdictAPI

await HTTPFunction.run { GetRun() }
