import VerdictPages

await APIFunction.run(PageEndpoint(ProjectsPage()))
