import VerdictDB

// The branch a project's feature branches are compared against (NULL: not said; then `main` if
// the project has runs on it, else `master`). Run comparison reads it.
let migration0016ProjectDefaultBranch = Migration(
    version: 16, name: "project_default_branch",
    sql: """
        ALTER TABLE projects ADD COLUMN default_branch text CHECK (length(default_branch) BETWEEN 1 AND 255);
        """)
