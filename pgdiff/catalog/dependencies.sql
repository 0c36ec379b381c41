-- Which object depends on which: pg_depend's rows by object ids. The model names both ends from the object
-- ids the other queries return (`catalog._dependencies`), folding sub-objects into what it manages: a
-- column's default is `default` (keyed by its column), the index behind a key is its constraint, a
-- domain's CHECK is its domain, a view's rewrite rule is its view, an array type is its element type, a
-- multirange is its range, a table's row type is its table. (Naming them here took a third of an
-- inspection's server time at 10,000 tables.) Left out here, since they never give a pair:
SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
FROM pg_catalog.pg_depend d
WHERE d.deptype IN ('n', 'a', 'i')
  -- objects initdb made (ids below FirstNormalObjectId), which are never managed;
  AND d.objid >= 16384
  AND d.refobjid >= 16384
  -- schemas, which order nothing (every object is created after its schema, dropped before it);
  AND d.refclassid <> 'pg_catalog.pg_namespace'::regclass
  -- a default's or generation expression's tie to its own column;
  AND NOT (d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.deptype = 'a')
  -- the ties that fold into one object: array and multirange types, row types, the index behind a key;
  -- and the internal triggers behind foreign keys, which are no objects of the model;
  AND NOT (d.deptype = 'i' AND (d.classid IN ('pg_catalog.pg_type'::regclass, 'pg_catalog.pg_trigger'::regclass)
                                OR d.refclassid = 'pg_catalog.pg_constraint'::regclass))
  -- NOT NULL constraints (PostgreSQL 18 gives every one a pg_constraint row), modelled on their column.
  AND (d.classid <> 'pg_catalog.pg_constraint'::regclass
       OR d.objid NOT IN (SELECT c.oid FROM pg_catalog.pg_constraint c WHERE c.contype = 'n'))
