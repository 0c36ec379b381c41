-- Performance indexes (seed 003, "Database Indexes Strategy").
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Performance indexes for optimal query performance
-- These indexes are strategically placed based on common query patterns
-- Composite indexes for common filter combinations
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_executions_workflow_status_date 
ON workflow_executions(workflow_id, status, started_at DESC);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_executions_status_duration 
ON workflow_executions(status, duration_minutes DESC) 
WHERE duration_minutes IS NOT NULL;

-- Partial indexes for hot data paths
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_active_workflows 
ON workflows(updated_at DESC) 
WHERE status = 'active' AND archived_at IS NULL;

-- The seed's idx_recent_executions (WHERE started_at > CURRENT_DATE - INTERVAL '7 days') is left out:
-- PostgreSQL refuses an index predicate that calls a function that is not IMMUTABLE, and a moving
-- window cannot be indexed this way.

-- GIN indexes for JSON and array columns
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_workflow_config_gin 
ON workflows USING gin(configuration);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_execution_context_gin 
ON workflow_executions USING gin(execution_context);

-- Text search indexes
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_workflow_name_search 
ON workflows USING gin(to_tsvector('english', name || ' ' || COALESCE(description, '')));

-- The seed's second idx_content_name_search (a tsvector index) is left out: with IF NOT EXISTS it never
-- replaced the trigram index of that name in 30_processing.sql.
