import VerdictAPI

await APIFunction.run(GetRunGates())
