import VerdictAPI

await APIFunction.run(GetCase())
