-- Domains with their base type, default, NOT NULL and CHECK constraints (by name). NOT NULL is
-- typnotnull; from PostgreSQL 17 it also has a pg_constraint row, which is left out here.
SELECT n.nspname AS schema,
       t.typname AS name,
       t.oid, t.typarray AS array_oid,
       ARRAY(SELECT con.oid FROM pg_catalog.pg_constraint con
             WHERE con.contypid = t.oid AND con.contype <> 'n') AS constraint_oids,
       pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
       t.typnotnull AS not_null,
       t.typdefault AS default_expr,
       CASE WHEN t.typcollation <> bt.typcollation AND t.typcollation <> 0
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation,
       COALESCE((
         SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
                  con.conname, pg_catalog.pg_get_constraintdef(con.oid), con.convalidated) ORDER BY con.conname)
         FROM pg_catalog.pg_constraint con
         WHERE con.contypid = t.oid AND con.contype = 'c'), '[]') AS checks
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
