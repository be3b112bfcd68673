import VerdictAPI

await APIFunction.run(CompleteReport())
