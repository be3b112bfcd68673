import VerdictPages

await APIFunction.run(PageEndpoint(ProjectPage()))
