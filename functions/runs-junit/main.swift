import VerdictAPI

await HTTPFunction.run { ExportRun(.junit) }
