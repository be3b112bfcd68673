import VerdictAPI

await JobFunction.run(ReapOrchestrations())
