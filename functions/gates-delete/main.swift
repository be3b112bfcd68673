import VerdictAPI

await APIFunction.run(DeleteGate())
