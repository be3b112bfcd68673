import VerdictAPI

await JobFunction.run(Migrate())
