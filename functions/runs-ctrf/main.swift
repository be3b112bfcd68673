import VerdictAPI

await HTTPFunction.run { ExportRun(.ctrf) }
