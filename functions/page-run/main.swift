import VerdictPages

await APIFunction.run(PageEndpoint(RunPage()))
