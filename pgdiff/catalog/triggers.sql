-- User triggers (not internal ones such as those behind foreign keys) on tables, views and
-- materialized views outside system schemas that no extension owns. `definition` is
-- pg_get_triggerdef(): timing, events, UPDATE OF, transition tables, FOR EACH, WHEN, the function
-- and its arguments, and for constraint triggers FROM and DEFERRABLE.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       t.tgname AS name,
       t.oid,
       pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled AS enabled,
       t.tgconstraint <> 0 AS is_constraint,
       fn.nspname AS function_schema,
       f.proname AS function_name,
       pg_catalog.pg_get_function_identity_arguments(f.oid) AS function_arguments,
       -- Columns of UPDATE OF and WHEN: PostgreSQL refuses to drop or retype them under the trigger.
       ARRAY(SELECT DISTINCT a.attname FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_catalog.pg_trigger'::regclass AND d.objid = t.oid
               AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = t.tgrelid
               AND d.refobjsubid > 0) AS columns
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc f ON f.oid = t.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND c.relkind IN ('r', 'p', 'v', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
