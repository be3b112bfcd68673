import VerdictPages

await APIFunction.run(PageEndpoint(FlakyPage()))
