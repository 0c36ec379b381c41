-- Views and materialized views outside system schemas that no extension owns, with what their
-- rewrite rule depends on (relations, the columns it reads, functions), read from pg_depend so
-- that dependents can be dropped first and made again after.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.oid, c.reltype AS type_oid, rt.typarray AS array_oid,
       ARRAY(SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid) AS rule_oids,
       c.relkind = 'm' AS materialized,
       pg_catalog.pg_get_viewdef(c.oid, false) AS definition,
       ARRAY(SELECT o.option_name || '=' || o.option_value
             FROM pg_catalog.pg_options_to_table(c.reloptions) o ORDER BY 1) AS options,
       c.relispopulated AS populated,
       ARRAY(SELECT pg_catalog.jsonb_build_array(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
             FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS columns,
       ARRAY(SELECT DISTINCT pg_catalog.jsonb_build_array(rn.nspname, rc.relname, ra.attname)
             FROM pg_catalog.pg_rewrite r
             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
               AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> c.oid
             JOIN pg_catalog.pg_class rc ON rc.oid = d.refobjid
             JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
             LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid
               AND d.refobjsubid > 0
             WHERE r.ev_class = c.oid) AS uses_relations,
       ARRAY(SELECT DISTINCT pg_catalog.jsonb_build_array(
                      pn.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))
             FROM pg_catalog.pg_rewrite r
             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
               AND d.refclassid = 'pg_catalog.pg_proc'::regclass
             JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
             JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
             WHERE r.ev_class = c.oid) AS uses_functions
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_type rt ON rt.oid = c.reltype
WHERE c.relkind IN ('v', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
