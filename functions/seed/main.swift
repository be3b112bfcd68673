import VerdictAPI

await JobFunction.run(Seed())
