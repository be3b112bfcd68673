import VerdictAPI

await APIFunction.run(UpdateTeam())
