import VerdictAPI

await APIFunction.run(CompareRuns())
