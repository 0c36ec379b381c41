-- Every ```sql block of seed 000 (000_abef61a7e53c9aef.txt), verbatim, with the line each block starts on.
-- pgdiff's seed audit (tests/test_seeds.py) checks which statements are schema and which are refused.

-- seed line 31
-- Align field names across all models
ALTER TABLE workflows RENAME COLUMN name TO title;
ALTER TABLE workflow_node_contexts RENAME COLUMN id TO node_id;
ALTER TABLE workflow_standalone_docs RENAME COLUMN id TO doc_id;

-- seed line 39
-- Performance indexes
CREATE INDEX CONCURRENTLY idx_workflows_extraction_status 
ON workflows (unified_extraction_success, layer2_scraped, layer3_scraped);

CREATE INDEX CONCURRENTLY idx_workflows_created_at 
ON workflows (created_at);

CREATE INDEX CONCURRENTLY idx_node_contexts_workflow_id 
ON workflow_node_contexts (workflow_id);

CREATE INDEX CONCURRENTLY idx_standalone_docs_workflow_id 
ON workflow_standalone_docs (workflow_id);

CREATE INDEX CONCURRENTLY idx_extraction_snapshots_workflow_layer 
ON workflow_extraction_snapshots (workflow_id, layer);

-- JSONB indexes for efficient querying
CREATE INDEX CONCURRENTLY idx_workflows_metadata_gin 
ON workflows USING GIN (metadata);

CREATE INDEX CONCURRENTLY idx_node_contexts_position_gin 
ON workflow_node_contexts USING GIN (node_position);

CREATE INDEX CONCURRENTLY idx_extraction_snapshots_payload_gin 
ON workflow_extraction_snapshots USING GIN (payload);

-- seed line 68
-- Ensure data integrity
ALTER TABLE workflow_node_contexts 
ADD CONSTRAINT fk_node_contexts_workflow 
FOREIGN KEY (workflow_id) REFERENCES workflows(workflow_id) ON DELETE CASCADE;

ALTER TABLE workflow_standalone_docs 
ADD CONSTRAINT fk_standalone_docs_workflow 
FOREIGN KEY (workflow_id) REFERENCES workflows(workflow_id) ON DELETE CASCADE;

ALTER TABLE workflow_extraction_snapshots 
ADD CONSTRAINT fk_extraction_snapshots_workflow 
FOREIGN KEY (workflow_id) REFERENCES workflows(workflow_id) ON DELETE CASCADE;

-- seed line 104
-- Optimized queries for common operations
CREATE VIEW workflow_extraction_summary AS
SELECT 
    w.workflow_id,
    w.title,
    w.url,
    w.unified_extraction_success,
    w.layer2_scraped,
    w.layer3_scraped,
    w.unified_extraction_at,
    COUNT(nc.id) as node_context_count,
    COUNT(sd.id) as standalone_doc_count,
    COUNT(es.id) as snapshot_count
FROM workflows w
LEFT JOIN workflow_node_contexts nc ON w.workflow_id = nc.workflow_id
LEFT JOIN workflow_standalone_docs sd ON w.workflow_id = sd.workflow_id
LEFT JOIN workflow_extraction_snapshots es ON w.workflow_id = es.workflow_id
GROUP BY w.workflow_id, w.title, w.url, w.unified_extraction_success, 
         w.layer2_scraped, w.layer3_scraped, w.unified_extraction_at;

-- seed line 155
-- Partition workflows table by extraction date
CREATE TABLE workflows_2024 PARTITION OF workflows
FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE workflows_2025 PARTITION OF workflows
FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- Partition extraction snapshots by layer
CREATE TABLE extraction_snapshots_l2 PARTITION OF workflow_extraction_snapshots
FOR VALUES IN ('L2', 'L2V2');

CREATE TABLE extraction_snapshots_l3 PARTITION OF workflow_extraction_snapshots
FOR VALUES IN ('L3', 'L3V3', 'UNIFIED');

-- seed line 172
-- Archive old completed workflows
CREATE TABLE workflows_archive (LIKE workflows INCLUDING ALL);

-- Archive old extraction snapshots
CREATE TABLE extraction_snapshots_archive (LIKE workflow_extraction_snapshots INCLUDING ALL);

-- Archive procedure
CREATE OR REPLACE FUNCTION archive_old_workflows()
RETURNS void AS $$
BEGIN
    -- Archive workflows older than 1 year
    INSERT INTO workflows_archive 
    SELECT * FROM workflows 
    WHERE created_at < NOW() - INTERVAL '1 year' 
    AND unified_extraction_success = true;
    
    DELETE FROM workflows 
    WHERE created_at < NOW() - INTERVAL '1 year' 
    AND unified_extraction_success = true;
END;
$$ LANGUAGE plpgsql;

-- seed line 197
-- Add data validation constraints
ALTER TABLE workflows 
ADD CONSTRAINT chk_workflow_id_format 
CHECK (workflow_id ~ '^[0-9]+$');

ALTER TABLE workflows 
ADD CONSTRAINT chk_url_format 
CHECK (url ~ '^https://n8n\.io/workflows/');

ALTER TABLE workflow_node_contexts 
ADD CONSTRAINT chk_confidence_range 
CHECK (match_confidence >= 0 AND match_confidence <= 1);

ALTER TABLE workflow_standalone_docs 
ADD CONSTRAINT chk_confidence_range 
CHECK (confidence_score >= 0 AND confidence_score <= 1);

-- seed line 219
-- Add full-text search capabilities
ALTER TABLE workflows 
ADD COLUMN search_vector tsvector;

CREATE INDEX idx_workflows_search 
ON workflows USING GIN (search_vector);

-- Update search vector trigger
CREATE OR REPLACE FUNCTION update_workflow_search_vector()
RETURNS trigger AS $$
BEGIN
    NEW.search_vector := 
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trigger_update_workflow_search_vector
    BEFORE INSERT OR UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION update_workflow_search_vector();

-- seed line 244
-- Analytics views for reporting
CREATE VIEW extraction_analytics AS
SELECT 
    DATE_TRUNC('day', created_at) as extraction_date,
    COUNT(*) as total_workflows,
    COUNT(*) FILTER (WHERE unified_extraction_success = true) as successful_extractions,
    COUNT(*) FILTER (WHERE layer2_scraped = true) as layer2_completed,
    COUNT(*) FILTER (WHERE layer3_scraped = true) as layer3_completed,
    AVG(EXTRACT(EPOCH FROM (unified_extraction_at - created_at))) as avg_extraction_time_seconds
FROM workflows
GROUP BY DATE_TRUNC('day', created_at)
ORDER BY extraction_date DESC;

-- Performance metrics view
CREATE VIEW performance_metrics AS
SELECT 
    'Node Contexts' as metric_type,
    COUNT(*) as total_count,
    AVG(match_confidence) as avg_confidence,
    MIN(match_confidence) as min_confidence,
    MAX(match_confidence) as max_confidence
FROM workflow_node_contexts
UNION ALL
SELECT 
    'Standalone Docs' as metric_type,
    COUNT(*) as total_count,
    AVG(confidence_score) as avg_confidence,
    MIN(confidence_score) as min_confidence,
    MAX(confidence_score) as max_confidence
FROM workflow_standalone_docs;

-- seed line 278
-- Data quality monitoring
CREATE VIEW data_quality_metrics AS
SELECT 
    'Workflows' as table_name,
    COUNT(*) as total_records,
    COUNT(*) FILTER (WHERE title IS NULL OR title = '') as missing_titles,
    COUNT(*) FILTER (WHERE url IS NULL OR url = '') as missing_urls,
    COUNT(*) FILTER (WHERE description IS NULL OR description = '') as missing_descriptions
FROM workflows
UNION ALL
SELECT 
    'Node Contexts' as table_name,
    COUNT(*) as total_records,
    COUNT(*) FILTER (WHERE node_name IS NULL OR node_name = '') as missing_names,
    COUNT(*) FILTER (WHERE sticky_content IS NULL OR sticky_content = '') as missing_content,
    COUNT(*) FILTER (WHERE match_confidence IS NULL) as missing_confidence
FROM workflow_node_contexts;

-- seed line 301
-- Monitor database performance
CREATE VIEW database_performance AS
SELECT 
    schemaname,
    tablename,
    n_tup_ins as inserts,
    n_tup_upd as updates,
    n_tup_del as deletes,
    n_live_tup as live_tuples,
    n_dead_tup as dead_tuples,
    last_vacuum,
    last_autovacuum,
    last_analyze,
    last_autoanalyze
FROM pg_stat_user_tables
WHERE schemaname = 'public'
ORDER BY n_live_tup DESC;

-- seed line 322
-- Automated maintenance procedures
CREATE OR REPLACE FUNCTION perform_maintenance()
RETURNS void AS $$
BEGIN
    -- Update statistics
    ANALYZE workflows;
    ANALYZE workflow_node_contexts;
    ANALYZE workflow_standalone_docs;
    ANALYZE workflow_extraction_snapshots;
    
    -- Clean up old data
    DELETE FROM workflow_extraction_snapshots 
    WHERE created_at < NOW() - INTERVAL '6 months';
    
    -- Archive old workflows
    PERFORM archive_old_workflows();
    
    -- Vacuum tables
    VACUUM ANALYZE workflows;
    VACUUM ANALYZE workflow_node_contexts;
    VACUUM ANALYZE workflow_standalone_docs;
END;
$$ LANGUAGE plpgsql;
