-- Reporting views (seed 003, "Database Views for Complex Queries").
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- View for workflow execution summaries with statistics
CREATE OR REPLACE VIEW workflow_execution_summary AS
SELECT 
    w.id as workflow_id,
    w.name as workflow_name,
    w.status as workflow_status,
    COUNT(we.id) as total_executions,
    COUNT(CASE WHEN we.status = 'Success' THEN 1 END) as successful_executions,
    COUNT(CASE WHEN we.status = 'Failed' THEN 1 END) as failed_executions,
    COUNT(CASE WHEN we.status = 'InProgress' THEN 1 END) as active_executions,
    ROUND(
        (COUNT(CASE WHEN we.status = 'Success' THEN 1 END)::DECIMAL / 
         NULLIF(COUNT(we.id), 0) * 100), 2
    ) as success_rate_percentage,
    AVG(we.duration_minutes) as avg_duration_minutes,
    MIN(we.duration_minutes) as min_duration_minutes,
    MAX(we.duration_minutes) as max_duration_minutes,
    MAX(we.started_at) as last_execution_at,
    SUM(we.content_processed) as total_content_processed,
    AVG(we.content_processed) as avg_content_per_execution
FROM workflows w
LEFT JOIN workflow_executions we ON w.id = we.workflow_id
WHERE w.archived_at IS NULL
GROUP BY w.id, w.name, w.status;

-- Index for the view
CREATE INDEX idx_workflow_execution_summary_stats ON workflow_executions(workflow_id, status, duration_minutes, content_processed);

-- View for daily execution metrics and trends
CREATE OR REPLACE VIEW daily_execution_metrics AS
SELECT 
    DATE(we.started_at) as execution_date,
    COUNT(*) as total_executions,
    COUNT(CASE WHEN we.status = 'Success' THEN 1 END) as successful_executions,
    COUNT(CASE WHEN we.status = 'Failed' THEN 1 END) as failed_executions,
    AVG(we.duration_minutes) as avg_duration_minutes,
    SUM(we.content_processed) as total_content_processed,
    COUNT(DISTINCT we.workflow_id) as unique_workflows_executed,
    AVG(CASE WHEN we.status = 'Success' THEN we.duration_minutes END) as avg_successful_duration,
    AVG(CASE WHEN we.status = 'Failed' THEN we.duration_minutes END) as avg_failed_duration
FROM workflow_executions we
WHERE we.started_at IS NOT NULL
    AND we.started_at >= CURRENT_DATE - INTERVAL '90 days' -- Last 90 days
GROUP BY DATE(we.started_at)
ORDER BY execution_date DESC;

-- View for performance analysis across different dimensions
CREATE OR REPLACE VIEW performance_metrics AS
SELECT 
    'workflow' as metric_type,
    w.id::TEXT as entity_id,  -- the seed had w.id: UNION cannot match integer with the stages' text
    w.name as entity_name,
    COUNT(we.id) as execution_count,
    AVG(we.duration_minutes) as avg_duration,
    PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY we.duration_minutes) as p95_duration,
    AVG(we.content_processed) as avg_throughput,
    STDDEV(we.duration_minutes) as duration_stddev,
    MAX(we.started_at) as last_execution
FROM workflows w
JOIN workflow_executions we ON w.id = we.workflow_id
WHERE we.completed_at IS NOT NULL
    AND w.archived_at IS NULL
GROUP BY w.id, w.name

UNION ALL

SELECT 
    'stage' as metric_type,
    es.stage_type::TEXT as entity_id,
    es.stage_type as entity_name,
    COUNT(es.id) as execution_count,
    AVG(es.duration_seconds / 60.0) as avg_duration,
    PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY es.duration_seconds / 60.0) as p95_duration,
    AVG(es.items_processed) as avg_throughput,
    STDDEV(es.duration_seconds / 60.0) as duration_stddev,
    MAX(es.started_at) as last_execution
FROM execution_stages es
WHERE es.completed_at IS NOT NULL
GROUP BY es.stage_type;
