import VerdictAPI

await APIFunction.run(BeginRun())
