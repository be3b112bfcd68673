import VerdictPages

await APIFunction.run(PageEndpoint(TrendsPage()))
