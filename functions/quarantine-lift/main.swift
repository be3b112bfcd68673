import VerdictAPI

await APIFunction.run(LiftQuarantine())
