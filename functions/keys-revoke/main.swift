import VerdictAPI

await HTTPFunction.run { RevokeAPIKey() }
