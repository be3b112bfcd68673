import VerdictAPI

await APIFunction.run(CheckoutUnits())
