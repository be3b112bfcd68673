// Whether a report's cases, in ordinal order, already run suite by suite in suite order (as
// nearly every tool writes them). Ingest records it; an export then reads cases in index order
// without first checking the run's cases with an aggregate. NULL for reports stored before.
let migration0004ReportCaseOrder = Migration(
    version: 4, name: "report_case_order",
    sql: """
        ALTER TABLE reports ADD COLUMN cases_in_suite_order boolean;
        """)
