import VerdictAPI

await APIFunction.run(GetRun())
