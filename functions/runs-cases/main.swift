import VerdictAPI

await APIFunction.run(ListRunCases())
