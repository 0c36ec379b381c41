-- COMMENT ON every kind pgdiff manages, one row per comment: the kind (as the planner names it), the
-- schema, the table a column, constraint, trigger or policy belongs to, the object's name, and a
-- function's identity arguments. Comments on extension members, system schemas, identity sequences,
-- the indexes behind constraints and on inherited partition clones are left out.
WITH members AS (
  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
),
relations AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'i', 'I', 'S')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid)
),
found AS (
  SELECT CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                        WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' ELSE 'table' END AS kind,
         r.schema, NULL::text AS table_name, r.name, NULL::text AS arguments, d.description
  FROM pg_catalog.pg_description d
  JOIN relations r ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = r.oid AND d.objsubid = 0
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = r.oid AND con.contype IN ('p', 'u', 'x'))
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend sd
                    WHERE sd.classid = 'pg_catalog.pg_class'::regclass AND sd.objid = r.oid AND sd.deptype = 'i'
                      AND r.relkind = 'S')
  UNION ALL
  SELECT 'column', r.schema, r.name, a.attname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN relations r ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = r.oid AND d.objsubid > 0
  JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
  WHERE r.relkind IN ('r', 'p', 'v', 'm') AND a.attislocal
  UNION ALL
  SELECT 'constraint', r.schema, r.name, con.conname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_constraint con ON d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objoid = con.oid
  JOIN relations r ON r.oid = con.conrelid
  WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conislocal
  UNION ALL
  SELECT 'trigger', r.schema, r.name, t.tgname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_trigger t ON d.classoid = 'pg_catalog.pg_trigger'::regclass AND d.objoid = t.oid
  JOIN relations r ON r.oid = t.tgrelid
  WHERE NOT t.tgisinternal AND t.tgparentid = 0
  UNION ALL
  SELECT 'policy', r.schema, r.name, p.polname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_policy p ON d.classoid = 'pg_catalog.pg_policy'::regclass AND d.objoid = p.oid
  JOIN relations r ON r.oid = p.polrelid
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, NULL, p.proname,
         pg_catalog.pg_get_function_identity_arguments(p.oid), d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_proc p ON d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objoid = p.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND m.objid = p.oid)
  UNION ALL
  SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' ELSE 'composite' END,
         n.nspname, NULL, t.typname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_type t ON d.classoid = 'pg_catalog.pg_type'::regclass AND d.objoid = t.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
  WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c'))
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_type'::regclass AND m.objid = t.oid)
  UNION ALL
  SELECT 'schema', n.nspname, NULL, n.nspname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_namespace n ON d.classoid = 'pg_catalog.pg_namespace'::regclass AND d.objoid = n.oid
  -- The public schema's own comment ("standard public schema") is every database's: not managed.
  WHERE n.nspname <> 'public'
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_namespace'::regclass AND m.objid = n.oid)
  UNION ALL
  SELECT 'collation', n.nspname, NULL, co.collname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_collation co ON d.classoid = 'pg_catalog.pg_collation'::regclass AND d.objoid = co.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
  UNION ALL
  SELECT 'statistics', n.nspname, NULL, s.stxname, NULL, d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_statistic_ext s ON d.classoid = 'pg_catalog.pg_statistic_ext'::regclass AND d.objoid = s.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
)
SELECT kind, schema, table_name, name, arguments, description
FROM found
WHERE schema NOT IN ('pg_catalog', 'information_schema')
  AND schema NOT LIKE 'pg\_toast%'
  AND schema NOT LIKE 'pg\_temp\_%'
ORDER BY 1, 2, 3, 4, 5
