import VerdictAPI

await APIFunction.run(UpdateGate())
