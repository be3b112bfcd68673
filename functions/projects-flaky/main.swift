import VerdictAPI

await APIFunction.run(ListFlakyTests())
