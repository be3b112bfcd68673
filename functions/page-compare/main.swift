import VerdictPages

await APIFunction.run(PageEndpoint(ComparePage()))
