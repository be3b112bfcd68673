import VerdictAPI

await APIFunction.run(CompleteLease())
