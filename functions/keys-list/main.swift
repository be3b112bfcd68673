import VerdictAPI

await APIFunction.run(ListAPIKeys())
