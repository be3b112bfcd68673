import VerdictAPI

await APIFunction.run(CreateGate())
