-- ALTER DEFAULT PRIVILEGES: what objects a role creates from now on are granted. `role` is NULL for the
-- role reading the catalog (the files' ALTER DEFAULT PRIVILEGES without FOR ROLE, or, on the target, the
-- role applying the plan); `schema` is NULL for every schema. The role's own privileges are left out.
SELECT CASE WHEN r.rolname = current_user THEN NULL ELSE r.rolname END AS role,
       n.nspname AS schema,
       d.defaclobjtype AS object_type,
       COALESCE((
         SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
                  CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE g.rolname END, e.privilege_type, e.is_grantable)
                ORDER BY 1)
         FROM pg_catalog.aclexplode(d.defaclacl) e
         LEFT JOIN pg_catalog.pg_roles g ON g.oid = e.grantee
         WHERE e.grantee <> d.defaclrole), '[]') AS entries
FROM pg_catalog.pg_default_acl d
JOIN pg_catalog.pg_roles r ON r.oid = d.defaclrole
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
ORDER BY 1, 2, 3
