import VerdictAPI

await APIFunction.run(ExportRun(.ctrf))
