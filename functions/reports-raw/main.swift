import VerdictAPI

await APIFunction.run(DownloadReport())
