import VerdictAPI

await HTTPFunction.run { Me() }
