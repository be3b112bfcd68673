import VerdictAPI

await APIFunction.run(UploadReport())
