-- Extended statistics objects (CREATE STATISTICS) on managed tables and materialized views.
-- stxstattarget is NULL (18) or -1 (before) when it was never set.
SELECT n.nspname AS schema,
       s.stxname AS name,
       c.relname AS table_name,
       cn.nspname AS table_schema,
       pg_catalog.pg_get_statisticsobjdef(s.oid) AS definition,
       NULLIF(COALESCE((pg_catalog.to_jsonb(s) ->> 'stxstattarget')::int, -1), -1) AS target
FROM pg_catalog.pg_statistic_ext s
JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
