-- User collations. Catalog columns that differ between PostgreSQL 14 and 18 (colliculocale in 15-16,
-- colllocale from 17, collicurules from 16) are read through to_jsonb() so one query serves them all.
SELECT n.nspname AS schema,
       co.collname AS name,
       co.collprovider AS provider,
       co.collisdeterministic AS deterministic,
       co.collcollate AS lc_collate,
       co.collctype AS lc_ctype,
       COALESCE(pg_catalog.to_jsonb(co) ->> 'colllocale', pg_catalog.to_jsonb(co) ->> 'colliculocale') AS locale,
       pg_catalog.to_jsonb(co) ->> 'collicurules' AS rules
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_collation'::regclass AND d.objid = co.oid AND d.deptype = 'e')
ORDER BY 1, 2
