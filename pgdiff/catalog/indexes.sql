-- Indexes of managed tables that no constraint owns (those come with their constraint).
-- `body` is the definition after "USING <method> ", so equal indexes compare equal
-- whatever their name and table.
WITH idx AS (
  SELECT n.nspname AS schema,
         ic.relname AS name,
         c.relname AS table_name,
         am.amname AS method,
         i.indisunique AS is_unique,
         i.indisvalid AS valid,
         i.indexrelid,
         i.indrelid,
         i.indnkeyatts,
         pg_catalog.pg_get_indexdef(i.indexrelid) AS full_def,
         pg_catalog.format('CREATE %sINDEX %I ON %s%I.%I USING %I ',
            CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END, ic.relname,
            CASE WHEN c.relkind = 'p' THEN 'ONLY ' ELSE '' END, n.nspname, c.relname, am.amname) AS prefix,
         pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
         -- The indexes attached under a partitioned index, at every level: (schema, table, index, parent
         -- index). They come and go with it; their names are those PostgreSQL chose.
         ARRAY(WITH RECURSIVE tree(child, parent) AS (
                 SELECT h.inhrelid, h.inhparent FROM pg_catalog.pg_inherits h WHERE h.inhparent = i.indexrelid
                 UNION ALL
                 SELECT h.inhrelid, h.inhparent FROM pg_catalog.pg_inherits h JOIN tree ON h.inhparent = tree.child)
               SELECT ARRAY[tn.nspname, tc.relname, ci.relname, pi.relname]
               FROM tree
               JOIN pg_catalog.pg_class ci ON ci.oid = tree.child
               JOIN pg_catalog.pg_class pi ON pi.oid = tree.parent
               JOIN pg_catalog.pg_index x ON x.indexrelid = tree.child
               JOIN pg_catalog.pg_class tc ON tc.oid = x.indrelid
               JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
               ORDER BY 1) AS partition_indexes
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  WHERE c.relkind IN ('r', 'p', 'm')  -- materialized views have indexes too
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_constraint con
      WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
    -- An index attached to a partitioned index is part of it.
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
)
SELECT schema, name, table_name, method, is_unique, valid, predicate, partition_indexes, indexrelid AS oid,
       -- The order PostgreSQL goes through a table's indexes in (by OID): ATTACH PARTITION pairs a new
       -- partition's indexes with its parent's in that order.
       pg_catalog.row_number() OVER (PARTITION BY indrelid ORDER BY indexrelid) AS oid_order,
       CASE WHEN pg_catalog.left(full_def, pg_catalog.length(prefix)) = prefix
            THEN pg_catalog.substr(full_def, pg_catalog.length(prefix) + 1)
            ELSE full_def END AS body,
       ARRAY(SELECT pg_catalog.pg_get_indexdef(indexrelid, k, true)
             FROM pg_catalog.generate_series(1, indnkeyatts) k) AS keys
FROM idx
ORDER BY 1, 2
