-- Primary key, unique, check, foreign key and exclusion constraints of managed tables.
-- NOT NULL constraints (pg_constraint rows since PostgreSQL 18) are modelled as column nullability.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       con.conname AS name,
       con.contype AS kind,
       con.oid,
       -- Its place among its table's constraints in the order they were made (OID order).
       pg_catalog.row_number() OVER (PARTITION BY con.conrelid ORDER BY con.oid) AS creation_order,
       -- The index behind a key or an exclusion constraint: pg_depend names it, the model has the constraint.
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN con.conindid END AS index_oid,
       pg_catalog.pg_get_constraintdef(con.oid) AS definition,
       con.convalidated AS validated,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       -- pg_get_constraintdef() leaves out the storage parameters of a key's index; pg_dump does not.
       CASE WHEN con.contype IN ('p', 'u') THEN
         pg_catalog.array_to_string(ARRAY(
           SELECT pg_catalog.quote_ident(o.option_name) || '=' || pg_catalog.quote_literal(o.option_value)
           FROM pg_catalog.pg_options_to_table(ic.reloptions) o), ', ')
       END AS index_options,
       ARRAY(SELECT a.attname FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       -- The keys cloned under a key of a partitioned table, at every level: (schema, table, constraint,
       -- parent constraint). They come and go with it; their names (their indexes') are PostgreSQL's choice.
       CASE WHEN con.contype IN ('p', 'u', 'x') AND c.relkind = 'p' THEN ARRAY(
         WITH RECURSIVE tree(child, parent) AS (
           SELECT k.oid, k.conparentid FROM pg_catalog.pg_constraint k WHERE k.conparentid = con.oid
           UNION ALL
           SELECT k.oid, k.conparentid FROM pg_catalog.pg_constraint k JOIN tree ON k.conparentid = tree.child)
         SELECT ARRAY[tn.nspname, tc.relname, ck.conname, pk.conname]
         FROM tree
         JOIN pg_catalog.pg_constraint ck ON ck.oid = tree.child
         JOIN pg_catalog.pg_constraint pk ON pk.oid = tree.parent
         JOIN pg_catalog.pg_class tc ON tc.oid = ck.conrelid
         JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
         ORDER BY 1) END AS partition_keys,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       irn.nspname AS index_schema,
       ic.relname AS index_name
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid AND con.contype = 'f'
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_class ic ON ic.oid = con.conindid
LEFT JOIN pg_catalog.pg_namespace irn ON irn.oid = ic.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x')
  AND c.relkind IN ('r', 'p')
  -- Clones on partitions (keys, foreign keys) and checks inherited from a parent are the parent's.
  AND con.conparentid = 0
  AND con.conislocal
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
