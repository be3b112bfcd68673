import VerdictAPI

await APIFunction.run(GetOpenAPIDocument())
