import VerdictAPI

await HTTPFunction.run { DownloadAttachment() }
