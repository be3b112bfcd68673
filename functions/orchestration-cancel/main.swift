import VerdictAPI

await APIFunction.run(CancelOrchestration())
