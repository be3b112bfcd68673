import VerdictAPI

await HTTPFunction.run { DownloadReport() }
