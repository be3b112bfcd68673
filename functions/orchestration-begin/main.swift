import VerdictAPI

await APIFunction.run(BeginOrchestration())
