import VerdictAPI

await LambdaRuntime.run { Seed() }
