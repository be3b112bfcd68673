import VerdictAPI

await APIFunction.run(ListRuns())
