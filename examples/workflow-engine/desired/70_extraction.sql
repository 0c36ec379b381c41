-- n8n workflow extraction (seed 000): scraped workflows partitioned by year of extraction, snapshots
-- partitioned by extraction layer, full-text search kept up to date by a trigger, reporting views.
-- Adapted from examples/seeds/000-n8n-scraper.sql (see examples/seeds/README.md for every change).
CREATE SCHEMA extraction;

-- The seed's foreign keys to workflows(workflow_id) are left out: every unique key of a partitioned
-- table must include its partition key (created_at), so workflow_id alone cannot be referenced.
CREATE TABLE extraction.workflows (
    workflow_id text NOT NULL,
    title text NOT NULL,  -- pgdiff: renamed from name
    url text NOT NULL,
    description text,
    metadata jsonb,
    search_vector tsvector,
    unified_extraction_success boolean NOT NULL DEFAULT false,
    layer2_scraped boolean NOT NULL DEFAULT false,
    layer3_scraped boolean NOT NULL DEFAULT false,
    unified_extraction_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflows_pkey PRIMARY KEY (workflow_id, created_at),
    CONSTRAINT chk_workflow_id_format CHECK (workflow_id ~ '^[0-9]+$'),
    CONSTRAINT chk_url_format CHECK (url ~ '^https://n8n\.io/workflows/')
) PARTITION BY RANGE (created_at);

CREATE TABLE extraction.workflows_2024 PARTITION OF extraction.workflows
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE extraction.workflows_2025 PARTITION OF extraction.workflows
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

CREATE TABLE extraction.workflows_2026 PARTITION OF extraction.workflows
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

CREATE INDEX idx_workflows_extraction_status
    ON extraction.workflows (unified_extraction_success, layer2_scraped, layer3_scraped);

CREATE INDEX idx_workflows_created_at ON extraction.workflows (created_at);

CREATE INDEX idx_workflows_metadata_gin ON extraction.workflows USING GIN (metadata);

CREATE INDEX idx_workflows_search ON extraction.workflows USING GIN (search_vector);

CREATE OR REPLACE FUNCTION extraction.update_workflow_search_vector()
RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trigger_update_workflow_search_vector
    BEFORE INSERT OR UPDATE ON extraction.workflows
    FOR EACH ROW EXECUTE FUNCTION extraction.update_workflow_search_vector();

CREATE TABLE extraction.workflow_node_contexts (
    node_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id text NOT NULL,
    node_name text,
    node_position jsonb,
    sticky_content text,
    match_confidence numeric(4, 3),
    CONSTRAINT chk_confidence_range CHECK (match_confidence >= 0 AND match_confidence <= 1)
);

CREATE INDEX idx_node_contexts_workflow_id ON extraction.workflow_node_contexts (workflow_id);

CREATE INDEX idx_node_contexts_position_gin ON extraction.workflow_node_contexts USING GIN (node_position);

CREATE TABLE extraction.workflow_standalone_docs (
    doc_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id text NOT NULL,
    content text,
    confidence_score numeric(4, 3),
    CONSTRAINT chk_confidence_range CHECK (confidence_score >= 0 AND confidence_score <= 1)
);

CREATE INDEX idx_standalone_docs_workflow_id ON extraction.workflow_standalone_docs (workflow_id);

CREATE TABLE extraction.workflow_extraction_snapshots (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    workflow_id text NOT NULL,
    layer text NOT NULL,
    payload jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, layer)
) PARTITION BY LIST (layer);

CREATE TABLE extraction.extraction_snapshots_l2 PARTITION OF extraction.workflow_extraction_snapshots
    FOR VALUES IN ('L2', 'L2V2');

CREATE TABLE extraction.extraction_snapshots_l3 PARTITION OF extraction.workflow_extraction_snapshots
    FOR VALUES IN ('L3', 'L3V3', 'UNIFIED');

CREATE INDEX idx_extraction_snapshots_workflow_layer
    ON extraction.workflow_extraction_snapshots (workflow_id, layer);

CREATE INDEX idx_extraction_snapshots_payload_gin
    ON extraction.workflow_extraction_snapshots USING GIN (payload);

CREATE VIEW extraction.workflow_extraction_summary AS
SELECT
    w.workflow_id,
    w.title,
    w.url,
    w.unified_extraction_success,
    w.layer2_scraped,
    w.layer3_scraped,
    w.unified_extraction_at,
    COUNT(DISTINCT nc.node_id) AS node_context_count,
    COUNT(DISTINCT sd.doc_id) AS standalone_doc_count,
    COUNT(DISTINCT es.id) AS snapshot_count
FROM extraction.workflows w
LEFT JOIN extraction.workflow_node_contexts nc ON w.workflow_id = nc.workflow_id
LEFT JOIN extraction.workflow_standalone_docs sd ON w.workflow_id = sd.workflow_id
LEFT JOIN extraction.workflow_extraction_snapshots es ON w.workflow_id = es.workflow_id
GROUP BY w.workflow_id, w.title, w.url, w.unified_extraction_success,
         w.layer2_scraped, w.layer3_scraped, w.unified_extraction_at;

CREATE VIEW extraction.extraction_analytics AS
SELECT
    DATE_TRUNC('day', created_at) AS extraction_date,
    COUNT(*) AS total_workflows,
    COUNT(*) FILTER (WHERE unified_extraction_success = true) AS successful_extractions,
    COUNT(*) FILTER (WHERE layer2_scraped = true) AS layer2_completed,
    COUNT(*) FILTER (WHERE layer3_scraped = true) AS layer3_completed,
    AVG(EXTRACT(EPOCH FROM (unified_extraction_at - created_at))) AS avg_extraction_time_seconds
FROM extraction.workflows
GROUP BY DATE_TRUNC('day', created_at)
ORDER BY extraction_date DESC;

CREATE VIEW extraction.performance_metrics AS
SELECT
    'Node Contexts' AS metric_type,
    COUNT(*) AS total_count,
    AVG(match_confidence) AS avg_confidence,
    MIN(match_confidence) AS min_confidence,
    MAX(match_confidence) AS max_confidence
FROM extraction.workflow_node_contexts
UNION ALL
SELECT
    'Standalone Docs' AS metric_type,
    COUNT(*) AS total_count,
    AVG(confidence_score) AS avg_confidence,
    MIN(confidence_score) AS min_confidence,
    MAX(confidence_score) AS max_confidence
FROM extraction.workflow_standalone_docs;

-- Archive table and procedure (seed 000, 3.2). The seed's perform_maintenance() is left out: it runs
-- VACUUM, which PostgreSQL refuses inside a function; schedule VACUUM from a job instead.
CREATE TABLE extraction.workflows_archive (LIKE extraction.workflows INCLUDING ALL);

CREATE OR REPLACE FUNCTION extraction.archive_old_workflows()
RETURNS void AS $$
BEGIN
    INSERT INTO extraction.workflows_archive
    SELECT * FROM extraction.workflows
    WHERE created_at < NOW() - INTERVAL '1 year'
    AND unified_extraction_success = true;

    DELETE FROM extraction.workflows
    WHERE created_at < NOW() - INTERVAL '1 year'
    AND unified_extraction_success = true;
END;
$$ LANGUAGE plpgsql;
