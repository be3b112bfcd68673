import VerdictAPI

await HTTPFunction.run { CompleteReport() }
