-- Installed extensions (plpgsql ships with every database and is left out), with the extensions each
-- requires (its control file's `requires`, recorded in pg_depend): created after them, dropped before them.
SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version,
       ARRAY(SELECT r.extname
             FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_extension r ON r.oid = d.refobjid
             WHERE d.classid = 'pg_catalog.pg_extension'::regclass AND d.objid = e.oid
               AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND r.extname <> 'plpgsql'
             ORDER BY 1) AS requires
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY 1
