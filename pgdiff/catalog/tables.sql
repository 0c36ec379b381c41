-- Ordinary and partitioned tables outside system schemas that no extension owns, with their partition
-- key, the parents they are a partition of or inherit from (in inhseqno order) and their bound.
SELECT n.nspname AS schema,
       c.relname AS name,
       -- Object ids: what dependencies.sql's pg_depend rows name (the table, its row type and that type's array).
       c.oid, c.reltype AS type_oid, rt.typarray AS array_oid,
       c.relpersistence = 'u' AS unlogged,
       pg_catalog.pg_get_partkeydef(c.oid) AS partition_key,
       c.relispartition AS is_partition,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
       ARRAY(SELECT ARRAY[pn.nspname, pc.relname]
             FROM pg_catalog.pg_inherits h
             JOIN pg_catalog.pg_class pc ON pc.oid = h.inhparent
             JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
             WHERE h.inhrelid = c.oid
             ORDER BY h.inhseqno) AS parents,
       -- Storage parameters (fillfactor, autovacuum_*...), sorted: their order has no meaning.
       -- The TOAST table's, as `toast.name=value`, the way they are set.
       ARRAY(SELECT o FROM pg_catalog.unnest(c.reloptions) o
             UNION ALL
             SELECT 'toast.' || o FROM pg_catalog.pg_class tt, pg_catalog.unnest(tt.reloptions) o
             WHERE tt.oid = c.reltoastrelid
             ORDER BY 1) AS options,
       -- The same in the catalog's order, which pg_dump prints them in: the table's, then the TOAST table's.
       ARRAY(SELECT o FROM pg_catalog.unnest(c.reloptions) o
             UNION ALL
             SELECT 'toast.' || o FROM pg_catalog.pg_class tt, pg_catalog.unnest(tt.reloptions) o
             WHERE tt.oid = c.reltoastrelid) AS options_order,
       -- A partition's NOT NULL columns that are not as its parent has them: NOT NULL where the parent's column
       -- is not, or (PostgreSQL 18) under a NOT NULL constraint of another name. Each as [column, name or ''].
       CASE WHEN c.relispartition THEN ARRAY(
         SELECT ARRAY[a.attname, coalesce(nn.conname, '')]
         FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_inherits h ON h.inhrelid = c.oid
         JOIN pg_catalog.pg_attribute pa ON pa.attrelid = h.inhparent AND pa.attname = a.attname
         LEFT JOIN pg_catalog.pg_constraint nn ON nn.contype = 'n' AND nn.conrelid = c.oid AND nn.conkey[1] = a.attnum
         LEFT JOIN pg_catalog.pg_constraint pn
           ON pn.contype = 'n' AND pn.conrelid = h.inhparent AND pn.conkey[1] = pa.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
           AND (NOT pa.attnotnull OR nn.conname IS DISTINCT FROM pn.conname)
         ORDER BY 1) END AS own_not_nulls,
       -- Columns, inherited ones too, whose statistics target, storage, compression or options are set.
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(
                 a.attname, NULLIF(a.attstattarget, -1), a.attstorage, a.attcompression, a.attoptions,
                 t.typstorage) ORDER BY a.attname)
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          AND (NULLIF(a.attstattarget, -1) IS NOT NULL OR a.attstorage <> t.typstorage
               OR a.attcompression <> '' OR a.attoptions IS NOT NULL)) AS column_settings,
       c.relreplident AS replica_identity,
       (SELECT ic.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index,
       -- A DETACH ... CONCURRENTLY that failed or was cancelled half way (PostgreSQL 14+).
       EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = c.oid AND h.inhdetachpending)
         AS detach_pending
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_type rt ON rt.oid = c.reltype
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
