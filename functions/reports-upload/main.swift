import VerdictAPI

await HTTPFunction.run { UploadReport() }
