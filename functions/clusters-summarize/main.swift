import VerdictAPI

await APIFunction.run(SummarizeCluster())
