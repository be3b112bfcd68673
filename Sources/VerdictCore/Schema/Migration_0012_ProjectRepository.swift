import VerdictDB

// The repository a project's code lives in, so pages can link a run's commit and CI run.
let migration0012ProjectRepository = Migration(
    version: 12, name: "project_repository",
    sql: """
        ALTER TABLE projects ADD COLUMN repository_url text CHECK (repository_url ~ '^https://[^/]+/[^/]+/[^/]+$');
        """)
