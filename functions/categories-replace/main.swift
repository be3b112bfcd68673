import VerdictAPI

await APIFunction.run(ReplaceFailureCategories())
