import VerdictAPI

await HTTPFunction.run { GetCase() }
