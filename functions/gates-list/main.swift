import VerdictAPI

await APIFunction.run(ListGates())
