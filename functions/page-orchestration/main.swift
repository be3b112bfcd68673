import VerdictPages

await APIFunction.run(PageEndpoint(OrchestrationPage()))
