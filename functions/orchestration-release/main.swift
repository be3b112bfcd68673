import VerdictAPI

await APIFunction.run(ReleaseLease())
