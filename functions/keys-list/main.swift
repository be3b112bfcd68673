import VerdictAPI

await HTTPFunction.run { ListAPIKeys() }
