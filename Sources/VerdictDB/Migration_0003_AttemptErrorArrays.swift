// An attempt's errors as three parallel text arrays instead of one jsonb document. Ingest
// sends them in COPY's binary format, which PostgreSQL stores as they arrive; jsonb had the
// server parse every stack trace as JSON, character by character, and the client escape it
// first, and stack traces are most of a report's bytes.
let migration0003AttemptErrorArrays = Migration(
    version: 3, name: "attempt_error_arrays",
    sql: """
        ALTER TABLE attempts
            ADD COLUMN error_messages text[] COMPRESSION lz4,
            ADD COLUMN error_types text[],
            ADD COLUMN error_stacks text[] COMPRESSION lz4;

        UPDATE attempts a SET
            error_messages = e.messages, error_types = e.types, error_stacks = e.stacks
        FROM (
            SELECT a2.case_id, a2.attempt,
                array_agg(CASE WHEN jsonb_typeof(x.value -> 'message') = 'string' THEN x.value ->> 'message' END ORDER BY x.n)
                    AS messages,
                array_agg(CASE WHEN jsonb_typeof(x.value -> 'type') = 'string' THEN x.value ->> 'type' END ORDER BY x.n) AS types,
                array_agg(CASE WHEN jsonb_typeof(x.value -> 'stack') = 'string' THEN x.value ->> 'stack' END ORDER BY x.n) AS stacks
            FROM attempts a2
            CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(a2.errors) = 'array' THEN a2.errors ELSE '[]' END)
                WITH ORDINALITY AS x(value, n)
            WHERE jsonb_typeof(x.value) = 'object'
            GROUP BY a2.case_id, a2.attempt
        ) e
        WHERE a.case_id = e.case_id AND a.attempt = e.attempt;

        ALTER TABLE attempts DROP COLUMN errors;
        -- One entry per error in each array; an attempt without errors has NULL in all three.
        ALTER TABLE attempts ADD CONSTRAINT attempts_error_arrays CHECK (
            (error_messages IS NULL) = (error_types IS NULL) AND (error_messages IS NULL) = (error_stacks IS NULL)
            AND (error_messages IS NULL OR (array_ndims(error_messages) = 1
                AND cardinality(error_types) = cardinality(error_messages) AND cardinality(error_stacks) = cardinality(error_messages))));
        """)
