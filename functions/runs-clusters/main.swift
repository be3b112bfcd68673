import VerdictAPI

await APIFunction.run(ListRunClusters())
