-- Columns declared on every managed table, in one pass. Version-specific catalog columns are read
-- through to_jsonb() so one query serves PostgreSQL 14 to 18.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       a.attname AS name,
       a.attnum AS position,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       (SELECT nn.conname FROM pg_catalog.pg_constraint nn
        WHERE nn.conrelid = a.attrelid AND nn.contype = 'n' AND nn.conkey[1] = a.attnum) AS not_null_name,
       -- PostgreSQL 18: NOT NULL added NOT VALID sets attnotnull before any row is checked.
       NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint nv
        WHERE nv.conrelid = a.attrelid AND nv.contype = 'n' AND nv.conkey[1] = a.attnum
          AND NOT nv.convalidated) AS not_null_validated,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation,
       a.attidentity AS identity,
       s.seqstart::text AS seq_start,
       s.seqincrement::text AS seq_increment,
       s.seqmin::text AS seq_min,
       s.seqmax::text AS seq_max,
       s.seqcache::text AS seq_cache,
       s.seqcycle AS seq_cycle,
       a.attgenerated AS generated,
       a.attinhcount > 0 AS inherited,
       -- Functions a default calls are in its stored node tree; built-in ones have no pg_depend rows.
       ad.adbin IS NOT NULL AND EXISTS (
         SELECT 1 FROM pg_catalog.regexp_matches(ad.adbin::text, ':(?:func|opfunc)id (\d+)', 'g') f(id)
         JOIN pg_catalog.pg_proc p ON p.oid = f.id[1]::oid
         WHERE p.provolatile = 'v') AS volatile_default
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
-- The sequence behind an identity column depends on the column internally ('i').
LEFT JOIN pg_catalog.pg_depend sd ON a.attidentity <> ''
  AND sd.classid = 'pg_catalog.pg_class'::regclass AND sd.refclassid = 'pg_catalog.pg_class'::regclass
  AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i'
LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = sd.objid
WHERE c.relkind IN ('r', 'p')
  AND a.attnum > 0
  AND NOT a.attisdropped
  -- Inherited columns belong to the parent: a partition's columns all are (ATTACH makes them so too); an
  -- inheritance child's are unless declared on the child as well.
  AND a.attislocal
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 4
