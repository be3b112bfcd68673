import VerdictAPI

await APIFunction.run(ListProjects())
