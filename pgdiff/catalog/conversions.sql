-- What the server converts between types without being asked, for planning column type changes: every cast
-- (context i implicit, a assignment, e explicit; method f function, i I/O, b binary-coercible), and, with a
-- NULL source, the string types every type converts to by I/O in an assignment. Types as format_type() prints
-- them without modifiers (the search_path is empty: qualified unless in pg_catalog). A few hundred rows
-- whatever the schema's size.
SELECT pg_catalog.format_type(c.castsource, NULL) AS source,
       pg_catalog.format_type(c.casttarget, NULL) AS target,
       c.castcontext::text AS context,
       c.castmethod::text AS method
FROM pg_catalog.pg_cast c
UNION ALL
SELECT NULL, pg_catalog.format_type(t.oid, NULL), 'a', 'i'
FROM pg_catalog.pg_type t
WHERE t.typcategory = 'S' AND t.typtype IN ('b', 'd')
ORDER BY 1, 2
