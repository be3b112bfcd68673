import VerdictAPI

await APIFunction.run(GetOrchestration())
