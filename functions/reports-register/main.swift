import VerdictAPI

await HTTPFunction.run { RegisterReport() }
