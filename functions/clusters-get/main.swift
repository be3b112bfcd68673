import VerdictAPI

await APIFunction.run(GetCluster())
