import VerdictAPI

await APIFunction.run(ListQuarantines())
