-- Enum types and the migration table (seed 003, "Initial Schema Migration").
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Create enum types
CREATE TYPE execution_status AS ENUM ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled', 'Timeout');

CREATE TYPE user_role AS ENUM ('admin', 'user', 'viewer');

CREATE TYPE workflow_status AS ENUM ('active', 'inactive', 'archived');

-- Migration tracking table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version VARCHAR(14) PRIMARY KEY, -- YYYYMMDDHHMMSS format
    description TEXT,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
