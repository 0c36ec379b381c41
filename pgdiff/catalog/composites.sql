-- Stand-alone composite types (CREATE TYPE ... AS (...)); the row types of tables, views and
-- sequences are left out (their pg_class row is not of relkind 'c').
SELECT n.nspname AS schema,
       t.typname AS name,
       t.oid, t.typarray AS array_oid, t.typrelid AS class_oid,
       COALESCE((
         SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
                  a.attname,
                  pg_catalog.format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0
                       THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
                  END) ORDER BY a.attnum)
         FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
         WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS attributes
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c'
  AND c.relkind = 'c'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
