import VerdictAPI

await APIFunction.run(RegisterReport())
