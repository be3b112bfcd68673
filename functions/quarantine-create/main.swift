import VerdictAPI

await APIFunction.run(CreateQuarantine())
