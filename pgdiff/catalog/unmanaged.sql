-- Objects of kinds pgdiff does not model, made by a user (not the system's, not an extension's): each is
-- reported by plan, drift and dump (an error with --strict), never silently left out.
-- (kind, schema, name, catalog, id); schema is NULL for objects of the database or the cluster. An object may
-- come in several rows (a publication and each of its tables): pg_depend names each part by (catalog, id).
WITH managed AS (
  SELECT n.oid, n.nspname
  FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
),
-- What extensions made ('e'), and what comes with another object ('i': a multirange's casts, say).
members AS (
  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype IN ('e', 'i')
),
found(kind, schema, name, classid, objid) AS (
  SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END, m.nspname,
         pg_catalog.format('%I(%s)', p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
         'pg_catalog.pg_proc'::regclass, p.oid
  FROM pg_catalog.pg_proc p JOIN managed m ON m.oid = p.pronamespace
  WHERE p.prokind IN ('a', 'w')
  UNION ALL
  SELECT 'operator', m.nspname,
         pg_catalog.format('%s(%s, %s)', o.oprname,
                           COALESCE(pg_catalog.format_type(NULLIF(o.oprleft, 0), NULL), 'NONE'),
                           COALESCE(pg_catalog.format_type(NULLIF(o.oprright, 0), NULL), 'NONE')),
         'pg_catalog.pg_operator'::regclass, o.oid
  FROM pg_catalog.pg_operator o JOIN managed m ON m.oid = o.oprnamespace
  UNION ALL
  SELECT 'operator class', m.nspname, pg_catalog.format('%I USING %I', c.opcname, a.amname),
         'pg_catalog.pg_opclass'::regclass, c.oid
  FROM pg_catalog.pg_opclass c JOIN managed m ON m.oid = c.opcnamespace
  JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
  UNION ALL
  SELECT 'operator family', m.nspname, pg_catalog.format('%I USING %I', f.opfname, a.amname),
         'pg_catalog.pg_opfamily'::regclass, f.oid
  FROM pg_catalog.pg_opfamily f JOIN managed m ON m.oid = f.opfnamespace
  JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod
  UNION ALL
  SELECT 'text search configuration', m.nspname, pg_catalog.quote_ident(c.cfgname),
         'pg_catalog.pg_ts_config'::regclass, c.oid
  FROM pg_catalog.pg_ts_config c JOIN managed m ON m.oid = c.cfgnamespace
  UNION ALL
  SELECT 'text search dictionary', m.nspname, pg_catalog.quote_ident(d.dictname),
         'pg_catalog.pg_ts_dict'::regclass, d.oid
  FROM pg_catalog.pg_ts_dict d JOIN managed m ON m.oid = d.dictnamespace
  UNION ALL
  SELECT 'text search parser', m.nspname, pg_catalog.quote_ident(p.prsname),
         'pg_catalog.pg_ts_parser'::regclass, p.oid
  FROM pg_catalog.pg_ts_parser p JOIN managed m ON m.oid = p.prsnamespace
  UNION ALL
  SELECT 'text search template', m.nspname, pg_catalog.quote_ident(t.tmplname),
         'pg_catalog.pg_ts_template'::regclass, t.oid
  FROM pg_catalog.pg_ts_template t JOIN managed m ON m.oid = t.tmplnamespace
  UNION ALL
  SELECT 'conversion', m.nspname, pg_catalog.quote_ident(c.conname), 'pg_catalog.pg_conversion'::regclass, c.oid
  FROM pg_catalog.pg_conversion c JOIN managed m ON m.oid = c.connamespace
  UNION ALL
  -- A view's own rule (_RETURN) is the view.
  SELECT 'rule', m.nspname, pg_catalog.format('%I ON %I', r.rulename, c.relname),
         'pg_catalog.pg_rewrite'::regclass, r.oid
  FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
  JOIN managed m ON m.oid = c.relnamespace
  WHERE r.rulename <> '_RETURN'
  UNION ALL
  SELECT 'foreign table', m.nspname, pg_catalog.quote_ident(c.relname), 'pg_catalog.pg_class'::regclass, c.oid
  FROM pg_catalog.pg_class c JOIN managed m ON m.oid = c.relnamespace
  WHERE c.relkind = 'f'
  UNION ALL
  -- Base types (CREATE TYPE with input and output functions) and shell types; an array type comes with its
  -- element type, a multirange with its range.
  SELECT CASE WHEN t.typisdefined THEN 'base type' ELSE 'shell type' END, m.nspname, pg_catalog.quote_ident(t.typname),
         'pg_catalog.pg_type'::regclass, t.oid
  FROM pg_catalog.pg_type t JOIN managed m ON m.oid = t.typnamespace
  WHERE (t.typtype = 'b' AND NOT (t.typelem <> 0 AND t.typlen = -1)) OR (t.typtype = 'p' AND NOT t.typisdefined)
  UNION ALL
  SELECT 'cast', NULL,
         pg_catalog.format('%s AS %s', pg_catalog.format_type(c.castsource, NULL),
                           pg_catalog.format_type(c.casttarget, NULL)),
         'pg_catalog.pg_cast'::regclass, c.oid
  FROM pg_catalog.pg_cast c
  WHERE c.oid >= 16384  -- FirstNormalObjectId: not made by initdb
  UNION ALL
  SELECT 'publication', NULL, pg_catalog.quote_ident(p.pubname), 'pg_catalog.pg_publication'::regclass, p.oid
  FROM pg_catalog.pg_publication p
  UNION ALL
  -- A table in a publication is a row of its own, which depends on the table: the publication's too.
  SELECT 'publication', NULL, pg_catalog.quote_ident(p.pubname), 'pg_catalog.pg_publication_rel'::regclass, r.oid
  FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid
  UNION ALL
  SELECT 'subscription', NULL, pg_catalog.quote_ident(s.subname), 'pg_catalog.pg_subscription'::regclass, s.oid
  FROM pg_catalog.pg_subscription s
  WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
  UNION ALL
  SELECT 'event trigger', NULL, pg_catalog.quote_ident(e.evtname), 'pg_catalog.pg_event_trigger'::regclass, e.oid
  FROM pg_catalog.pg_event_trigger e
  UNION ALL
  SELECT 'foreign-data wrapper', NULL, pg_catalog.quote_ident(w.fdwname),
         'pg_catalog.pg_foreign_data_wrapper'::regclass, w.oid
  FROM pg_catalog.pg_foreign_data_wrapper w
  UNION ALL
  SELECT 'server', NULL, pg_catalog.quote_ident(s.srvname), 'pg_catalog.pg_foreign_server'::regclass, s.oid
  FROM pg_catalog.pg_foreign_server s
  UNION ALL
  -- The view, not pg_user_mapping, which only superusers may read; options stay out (they hold passwords).
  SELECT 'user mapping', NULL, pg_catalog.format('FOR %s SERVER %I', pg_catalog.quote_ident(u.usename), u.srvname),
         'pg_catalog.pg_user_mapping'::regclass, u.umid
  FROM pg_catalog.pg_user_mappings u
  UNION ALL
  SELECT 'language', NULL, pg_catalog.quote_ident(l.lanname), 'pg_catalog.pg_language'::regclass, l.oid
  FROM pg_catalog.pg_language l
  WHERE l.oid >= 16384
  UNION ALL
  SELECT 'access method', NULL, pg_catalog.quote_ident(a.amname), 'pg_catalog.pg_am'::regclass, a.oid
  FROM pg_catalog.pg_am a
  WHERE a.oid >= 16384
  UNION ALL
  SELECT 'transform', NULL,
         pg_catalog.format('FOR %s LANGUAGE %I', pg_catalog.format_type(t.trftype, NULL), l.lanname),
         'pg_catalog.pg_transform'::regclass, t.oid
  FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang
)
SELECT f.kind, f.schema, f.name, f.classid::oid AS classid, f.objid
FROM found f
WHERE f.objid >= 16384
  AND NOT EXISTS (SELECT 1 FROM members e WHERE e.classid = f.classid AND e.objid = f.objid)
ORDER BY 1, 2, 3
