import VerdictAPI

await APIFunction.run(GetProjectTrends())
