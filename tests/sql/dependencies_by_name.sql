-- The reference for `catalog._dependencies` (tests/test_dependencies_reference.py): how pgdiff named pg_depend's
-- ends on the server before it named them from object ids, kept as an independent oracle.
-- Which managed object depends on which, from pg_depend, named the way the model names them:
-- (kind, key) -> (ref_kind, ref_key). Sub-objects are folded into what the model manages: a column's
-- default is `default` (keyed by its column), the index behind a key is its constraint, a domain's
-- CHECK is its domain, a view's rewrite rule is its view, an array type is its element type, a
-- multirange is its range, a table's row type is its table. Objects of system schemas and of
-- extensions are left out; pairs that fold into one object are left out.
WITH ns AS (
  SELECT n.oid, n.nspname
  FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
),
rel AS (
  SELECT c.oid, c.relkind, ns.nspname, c.relname
  FROM pg_catalog.pg_class c
  JOIN ns ON ns.oid = c.relnamespace
  WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
typ AS (
  SELECT t.oid,
         CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range'
           ELSE CASE r.relkind WHEN 'c' THEN 'composite' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view'
                ELSE 'table' END
         END AS kind,
         ARRAY[ns.nspname, t.typname] AS key
  FROM pg_catalog.pg_type t
  JOIN ns ON ns.oid = t.typnamespace
  LEFT JOIN rel r ON r.oid = t.typrelid
  WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND r.relkind IN ('c', 'v', 'm', 'r', 'p')))
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
),
objects (classid, objid, objsubid, kind, key) AS (
  -- objsubid NULL: the object whatever the sub-object pg_depend names.
  SELECT 'pg_catalog.pg_class'::regclass::oid, r.oid, 0, 'table', ARRAY[r.nspname, r.relname]
  FROM rel r WHERE r.relkind IN ('r', 'p')
  UNION ALL
  SELECT 'pg_catalog.pg_class'::regclass::oid, r.oid, a.attnum::int, 'column',
         ARRAY[r.nspname, r.relname, a.attname::text]
  FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE r.relkind IN ('r', 'p')
  UNION ALL
  SELECT 'pg_catalog.pg_class'::regclass::oid, r.oid, NULL,
         CASE r.relkind WHEN 'c' THEN 'composite' WHEN 'S' THEN 'sequence' ELSE 'view' END,
         ARRAY[r.nspname, r.relname]
  FROM rel r WHERE r.relkind IN ('v', 'm', 'c', 'S')
  UNION ALL
  SELECT 'pg_catalog.pg_class'::regclass::oid, r.oid, NULL,
         CASE WHEN con.oid IS NULL THEN 'index' ELSE 'constraint' END,
         CASE WHEN con.oid IS NULL THEN ARRAY[r.nspname, r.relname]
              ELSE ARRAY[r.nspname, tr.relname, con.conname::text] END
  FROM rel r
  JOIN pg_catalog.pg_index i ON i.indexrelid = r.oid
  JOIN pg_catalog.pg_class tr ON tr.oid = i.indrelid
  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = r.oid AND con.conrelid = i.indrelid
    AND con.contype IN ('p', 'u', 'x')
  UNION ALL
  SELECT 'pg_catalog.pg_constraint'::regclass::oid, con.oid, NULL,
         CASE WHEN con.conrelid <> 0 THEN 'constraint' ELSE 'domain' END,
         CASE WHEN con.conrelid <> 0 THEN ARRAY[r.nspname, r.relname, con.conname::text] ELSE t.key END
  FROM pg_catalog.pg_constraint con
  LEFT JOIN rel r ON r.oid = con.conrelid AND r.relkind IN ('r', 'p')
  LEFT JOIN typ t ON t.oid = con.contypid AND t.kind = 'domain'
  WHERE con.contype <> 'n' AND (r.oid IS NOT NULL OR t.oid IS NOT NULL)
  UNION ALL
  SELECT 'pg_catalog.pg_attrdef'::regclass::oid, ad.oid, NULL, 'default',
         ARRAY[r.nspname, r.relname, a.attname::text]
  FROM pg_catalog.pg_attrdef ad
  JOIN rel r ON r.oid = ad.adrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
  UNION ALL
  SELECT 'pg_catalog.pg_trigger'::regclass::oid, tg.oid, NULL, 'trigger',
         ARRAY[r.nspname, r.relname, tg.tgname::text]
  FROM pg_catalog.pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid
  WHERE NOT tg.tgisinternal
  UNION ALL
  SELECT 'pg_catalog.pg_policy'::regclass::oid, pol.oid, NULL, 'policy',
         ARRAY[r.nspname, r.relname, pol.polname::text]
  FROM pg_catalog.pg_policy pol JOIN rel r ON r.oid = pol.polrelid
  UNION ALL
  SELECT 'pg_catalog.pg_rewrite'::regclass::oid, rw.oid, NULL, 'view', ARRAY[r.nspname, r.relname]
  FROM pg_catalog.pg_rewrite rw JOIN rel r ON r.oid = rw.ev_class AND r.relkind IN ('v', 'm')
  UNION ALL
  SELECT 'pg_catalog.pg_proc'::regclass::oid, p.oid, NULL, 'function',
         ARRAY[ns.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)]
  FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p')
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass::oid, t.oid, NULL, t.kind, t.key FROM typ t
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass::oid, e.typarray, NULL, t.kind, t.key
  FROM typ t JOIN pg_catalog.pg_type e ON e.oid = t.oid WHERE e.typarray <> 0
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass::oid, m.oid, NULL, 'range', t.key
  FROM typ t
  JOIN pg_catalog.pg_range rg ON rg.rngtypid = t.oid
  JOIN pg_catalog.pg_type m ON m.oid IN (rg.rngmultitypid, (SELECT mt.typarray FROM pg_catalog.pg_type mt
                                                             WHERE mt.oid = rg.rngmultitypid))
),
pairs AS (
  -- PostgreSQL 14 records what a generated column's expression reads as AUTO dependencies of the column
  -- itself; 15 and later record them on the column's pg_attrdef entry, like a default's. Folded into
  -- `default` here, so that on 14 too a generated column is seen standing on the functions it calls.
  SELECT CASE WHEN ga.attnum IS NOT NULL THEN 'default' ELSE o.kind END AS kind, o.key,
         r.kind AS ref_kind, r.key AS ref_key
  FROM pg_catalog.pg_depend d
  JOIN objects o ON o.classid = d.classid AND o.objid = d.objid
    AND (o.objsubid IS NULL OR o.objsubid = d.objsubid)
  JOIN objects r ON r.classid = d.refclassid AND r.objid = d.refobjid
    AND (r.objsubid IS NULL OR r.objsubid = d.refobjsubid)
  LEFT JOIN pg_catalog.pg_attribute ga ON d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'a'
    AND d.objsubid > 0 AND ga.attrelid = d.objid AND ga.attnum = d.objsubid AND ga.attgenerated <> ''
  WHERE d.deptype IN ('n', 'a', 'i')
)
SELECT DISTINCT p.kind, p.key, p.ref_kind, p.ref_key
FROM pairs p
WHERE (p.kind, p.key) IS DISTINCT FROM (p.ref_kind, p.ref_key)
  -- OWNED BY: the sequence goes with its column, it does not stand on it.
  AND NOT (p.kind = 'sequence' AND p.ref_kind = 'column')
  -- A default belongs to its own column.
  AND NOT (p.kind = 'default' AND p.ref_kind = 'column' AND p.key = p.ref_key)
ORDER BY 1, 2, 3, 4
