import VerdictAPI

await APIFunction.run(UpdateProject())
