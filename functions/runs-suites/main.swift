import VerdictAPI

await APIFunction.run(ListRunSuites())
