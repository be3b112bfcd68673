import VerdictAPI

await LambdaRuntime.run { Migrate() }
