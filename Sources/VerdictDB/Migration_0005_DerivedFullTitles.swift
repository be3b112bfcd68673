// Most full titles are just `classname.title` (JUnit) or the title: ingest stores NULL for those
// and readers derive them with case_full_title, a fifth of a JUnit case row's bytes saved on every
// write and read. Rows stored before keep their full titles.
let migration0005DerivedFullTitles = Migration(
    version: 5, name: "derived_full_titles",
    sql: """
        ALTER TABLE cases ALTER COLUMN full_title DROP NOT NULL;

        -- Byte-for-byte what ingest leaves out: the title, or classname.title when there is a
        -- classname that is not the title itself. An inlinable SQL function.
        CREATE FUNCTION case_full_title(full_title text, classname text, title text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT COALESCE(full_title,
                CASE WHEN classname IS NULL OR classname = '' OR classname = title THEN title ELSE classname || '.' || title END) $$;
        """)
