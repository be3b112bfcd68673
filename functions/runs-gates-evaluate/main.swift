import VerdictAPI

await APIFunction.run(EvaluateRunGates())
