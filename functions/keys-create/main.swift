import VerdictAPI

await APIFunction.run(CreateAPIKey())
