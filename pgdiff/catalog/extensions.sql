-- Installed extensions (plpgsql ships with every database and is left out), with the names of the types they
-- own (a column of such a type follows the extension when it moves to another schema), and the extensions
-- each requires (its control file's `requires`, recorded in pg_depend): created after them, dropped before them.
SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version,
       ARRAY(
           SELECT t.typname::text
           FROM pg_catalog.pg_depend d
           JOIN pg_catalog.pg_type t ON t.oid = d.objid
           WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid = e.oid
             AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
           ORDER BY 1
       ) AS types,
       ARRAY(SELECT r.extname
             FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_extension r ON r.oid = d.refobjid
             WHERE d.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.objid = e.oid
               AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND r.extname <> 'plpgsql'
             ORDER BY 1) AS requires
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY 1
