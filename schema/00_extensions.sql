-- Extensions (seed 003, "PostgreSQL Configuration").
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- The seed also enables "uuid-ossp" for gen_random_uuid(). PostgreSQL 13+ has gen_random_uuid() built in,
-- and the embedded server pgdiff uses for its shadow database ships without uuid-ossp, so the tables below
-- use gen_random_uuid().
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

CREATE EXTENSION IF NOT EXISTS "btree_gin";

CREATE EXTENSION IF NOT EXISTS "pg_stat_statements";
