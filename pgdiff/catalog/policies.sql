-- Row-level security policies. Roles are names (PUBLIC for the 0 entry), sorted, since the order a
-- policy lists them in has no meaning; USING and WITH CHECK as pg_get_expr() prints them.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       p.polname AS name,
       p.oid,
       p.polpermissive AS permissive,
       p.polcmd AS command,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(ro.rolname) END
             FROM pg_catalog.unnest(p.polroles) r(oid)
             LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = r.oid
             ORDER BY 1) AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
       -- Columns the expressions read: PostgreSQL refuses to drop or retype them under the policy.
       ARRAY(SELECT DISTINCT a.attname FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid
               AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = p.polrelid
               AND d.refobjsubid > 0
             ORDER BY 1) AS columns
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
