import VerdictAPI

await APIFunction.run(Health())
