import VerdictPages

await APIFunction.run(PageEndpoint(TestPage()))
