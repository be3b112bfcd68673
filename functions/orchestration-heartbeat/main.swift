import VerdictAPI

await APIFunction.run(HeartbeatLease())
