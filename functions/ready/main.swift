import VerdictAPI

await APIFunction.run(Ready())
