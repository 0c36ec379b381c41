-- The owner of every object that has one (tables, views, sequences, functions, types, schemas), and
-- whether it is the role running this query: in the shadow database that means the files did not say
-- (`ALTER ... OWNER TO`), so with --manage-owners only the other owners are the desired state.
WITH members AS (
  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
),
managed_schemas AS (
  SELECT n.oid, n.nspname, n.nspowner FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_namespace'::regclass AND m.objid = n.oid)
),
owned AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        ELSE 'table' END AS kind,
         n.nspname AS schema, c.relname AS name, NULL::text AS arguments, c.relowner AS owner
  FROM pg_catalog.pg_class c
  JOIN managed_schemas n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid)
    -- identity and serial sequences follow their table's owner
    AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('i', 'a')))
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, p.proname,
         pg_catalog.pg_get_function_identity_arguments(p.oid), p.proowner
  FROM pg_catalog.pg_proc p
  JOIN managed_schemas n ON n.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'e' THEN 'enum' WHEN 'r' THEN 'range' ELSE 'composite' END,
         n.nspname, t.typname, NULL, t.typowner
  FROM pg_catalog.pg_type t
  JOIN managed_schemas n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
  WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c'))
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_type'::regclass AND m.objid = t.oid)
  UNION ALL
  SELECT 'schema', n.nspname, n.nspname, NULL, n.nspowner
  FROM managed_schemas n
  WHERE n.nspname <> 'public'
)
SELECT o.kind, o.schema, o.name, o.arguments, r.rolname AS owner, r.rolname = current_user AS is_current_user
FROM owned o
JOIN pg_catalog.pg_roles r ON r.oid = o.owner
ORDER BY 1, 2, 3, 4
