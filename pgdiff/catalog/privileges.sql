-- Privileges granted on managed objects, one row per object and grantee (PUBLIC for 0). An ACL that
-- was never set reads as PostgreSQL's default for the kind (acldefault: EXECUTE on functions and
-- USAGE on types for PUBLIC), so an explicit REVOKE shows. The owner's own privileges are left out:
-- owners differ between environments, and the owner holds every privilege anyway. The public
-- schema's ACL is PostgreSQL's and the database's, not managed. `position` is where the grantee first appears
-- in the ACL: PostgreSQL keeps entries in the order grantees were first granted, and pg_dump prints them so.
WITH members AS (
  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
),
managed_schemas AS (
  SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_namespace'::regclass AND m.objid = n.oid)
),
acls AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        ELSE 'table' END AS kind,
         n.nspname AS schema, NULL::text AS table_name, c.relname AS name, NULL::text AS arguments,
         c.relowner AS owner,
         COALESCE(c.relacl, pg_catalog.acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)) AS acl
  FROM pg_catalog.pg_class c
  JOIN managed_schemas n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid)
    -- identity sequences belong to their column; partitions take their parent's grants when attached
    AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'))
  UNION ALL
  SELECT 'column', n.nspname, c.relname, a.attname, NULL, c.relowner, a.attacl
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN managed_schemas n ON n.oid = c.relnamespace
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
    AND c.relkind IN ('r', 'p', 'v', 'm')
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid)
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, NULL, p.proname,
         pg_catalog.pg_get_function_identity_arguments(p.oid), p.proowner,
         COALESCE(p.proacl, pg_catalog.acldefault('f'::"char", p.proowner))
  FROM pg_catalog.pg_proc p
  JOIN managed_schemas n ON n.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'e' THEN 'enum' WHEN 'r' THEN 'range' ELSE 'composite' END,
         n.nspname, NULL, t.typname, NULL, t.typowner, COALESCE(t.typacl, pg_catalog.acldefault('T'::"char", t.typowner))
  FROM pg_catalog.pg_type t
  JOIN managed_schemas n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
  WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c'))
    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_type'::regclass AND m.objid = t.oid)
  UNION ALL
  SELECT 'schema', n.nspname, NULL, n.nspname, NULL, ns.nspowner, COALESCE(ns.nspacl, pg_catalog.acldefault('n'::"char", ns.nspowner))
  FROM managed_schemas n
  JOIN pg_catalog.pg_namespace ns ON ns.oid = n.oid
  WHERE n.nspname <> 'public'
)
SELECT a.kind, a.schema, a.table_name, a.name, a.arguments,
       CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE r.rolname END AS grantee,
       ARRAY_AGG(e.privilege_type ORDER BY e.privilege_type) AS privileges,
       ARRAY_AGG(e.privilege_type ORDER BY e.privilege_type) FILTER (WHERE e.is_grantable) AS grantable,
       MIN(e.entry) AS position
FROM acls a
CROSS JOIN LATERAL pg_catalog.aclexplode(a.acl) WITH ORDINALITY e(grantor, grantee, privilege_type, is_grantable, entry)
LEFT JOIN pg_catalog.pg_roles r ON r.oid = e.grantee
WHERE e.grantee <> a.owner
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
