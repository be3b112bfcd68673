import VerdictPages

await APIFunction.run(PageEndpoint(CasePage()))
