-- Range types; their multirange types (PostgreSQL 14+) are created with them and are not objects
-- of their own. Opclass and collation only when not the subtype's defaults.
SELECT n.nspname AS schema,
       t.typname AS name,
       t.oid, t.typarray AS array_oid, mt.oid AS multirange_oid, mt.typarray AS multirange_array_oid,
       pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
       CASE WHEN NOT oc.opcdefault
            THEN pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(oc.opcname)
       END AS opclass,
       CASE WHEN r.rngcollation <> st.typcollation AND r.rngcollation <> 0
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation,
       CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text END AS canonical,
       CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END AS subtype_diff,
       mn.nspname AS multirange_schema,
       mt.typname AS multirange_name
FROM pg_catalog.pg_range r
JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
JOIN pg_catalog.pg_opclass oc ON oc.oid = r.rngsubopc
JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace
LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid
LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
