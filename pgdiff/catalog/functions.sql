-- Functions and procedures outside system schemas that no extension owns. Aggregates and window
-- functions are left out. `definition` is pg_get_functiondef(): language, volatility, strictness,
-- SECURITY DEFINER, SET options, PARALLEL, COST, ROWS and the body, as PostgreSQL stores them.
SELECT n.nspname AS schema,
       p.proname AS name,
       p.oid,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       pg_catalog.pg_get_function_arguments(p.oid) AS arguments,
       pg_catalog.pg_get_function_result(p.oid) AS result,
       p.prokind AS kind,
       l.lanname AS language,
       pg_catalog.pg_get_functiondef(p.oid) AS definition,
       -- Argument or result types that are tables' row types, and (SQL-standard bodies) tables read:
       -- such a function is created after the tables.
       EXISTS (
         SELECT 1 FROM pg_catalog.pg_depend d
         LEFT JOIN pg_catalog.pg_type t ON d.refclassid = 'pg_catalog.pg_type'::regclass AND t.oid = d.refobjid
         WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
           AND (d.refclassid = 'pg_catalog.pg_class'::regclass OR t.typrelid <> 0)) AS reads_relations
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    -- 'i': the constructor functions PostgreSQL creates with a range type belong to the type.
    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
