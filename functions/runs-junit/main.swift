import VerdictAPI

await APIFunction.run(ExportRun(.junit))
