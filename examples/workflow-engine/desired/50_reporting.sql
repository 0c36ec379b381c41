-- Reporting (seed 002, "Query optimization" and "Monitoring"): a materialized view of form completion,
-- refreshed by a scheduled job outside the schema files (the seed's `SELECT cron.schedule(...)` is a
-- deploy step, not schema), and a view of index usage.
CREATE MATERIALIZED VIEW form_completion_stats AS
SELECT
    fr.form_schema_id,
    fs.name AS form_name,
    DATE_TRUNC('day', fr.submitted_at) AS day,
    COUNT(*) AS submissions,
    COUNT(CASE WHEN fr.data->>'status' = 'complete' THEN 1 END) AS completed,
    AVG(CASE WHEN fr.data->>'completion_time' IS NOT NULL
        THEN (fr.data->>'completion_time')::INTEGER END) AS avg_completion_time
FROM form_responses fr
JOIN form_schemas fs ON fr.form_schema_id = fs.id
WHERE fr.submitted_at > NOW() - INTERVAL '30 days'
GROUP BY fr.form_schema_id, fs.name, DATE_TRUNC('day', fr.submitted_at);

-- REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index.
CREATE UNIQUE INDEX form_completion_stats_key ON form_completion_stats (form_schema_id, day);

-- The seed selected schemaname, tablename and indexname, which pg_stat_user_indexes calls
-- schemaname, relname and indexrelname.
CREATE VIEW index_usage_stats AS
SELECT
    schemaname,
    relname AS tablename,
    indexrelname AS indexname,
    idx_scan,
    idx_tup_read,
    idx_tup_fetch
FROM pg_stat_user_indexes
ORDER BY idx_scan DESC;

-- Runs per workflow and status, for the dashboard (seed 003's workflow_execution_summary, on this schema).
CREATE VIEW workflow_run_summary AS
SELECT
    w.id AS workflow_id,
    w.name AS workflow_name,
    COUNT(r.id) AS total_runs,
    COUNT(*) FILTER (WHERE r.status = 'completed') AS completed_runs,
    COUNT(*) FILTER (WHERE r.status = 'failed') AS failed_runs,
    MAX(r.started_at) AS last_run_at
FROM workflows w
LEFT JOIN workflow_runs r ON r.workflow_id = w.id
GROUP BY w.id, w.name;
