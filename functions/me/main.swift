import VerdictAPI

await APIFunction.run(Me())
