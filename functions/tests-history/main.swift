import VerdictAPI

await APIFunction.run(GetTestHistory())
