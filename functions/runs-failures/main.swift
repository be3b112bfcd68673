import VerdictAPI

await APIFunction.run(ListRunFailures())
