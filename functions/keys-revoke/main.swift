import VerdictAPI

await APIFunction.run(RevokeAPIKey())
