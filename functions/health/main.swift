import VerdictAPI

await HTTPFunction.run { Health() }
