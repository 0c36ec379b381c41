-- Sequences outside system schemas, except those of identity columns (modelled on the column) and
-- those an extension owns. `owned_by` is the column an OWNED BY (or a serial column) ties it to.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.oid,
       pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart::text AS start,
       s.seqincrement::text AS increment,
       s.seqmin::text AS minvalue,
       s.seqmax::text AS maxvalue,
       s.seqcache::text AS cache,
       s.seqcycle AS cycle,
       c.relpersistence = 'u' AS unlogged,
       own.owner_schema,
       own.owner_table,
       own.owner_column
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN LATERAL (
  SELECT tn.nspname AS owner_schema, t.relname AS owner_table, a.attname AS owner_column
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
    AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype = 'a'
  LIMIT 1
) own ON true
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2
