import VerdictAPI

await APIFunction.run(ListFailureCategories())
