import VerdictAPI

await APIFunction.run(DownloadAttachment())
