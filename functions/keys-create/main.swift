import VerdictAPI

await HTTPFunction.run { CreateAPIKey() }
