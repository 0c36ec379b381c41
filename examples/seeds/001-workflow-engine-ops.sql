-- Every ```sql block of seed 001 (001_5a853713d81c6e30.txt), verbatim, with the line each block starts on.
-- pgdiff's seed audit (tests/test_seeds.py) checks which statements are schema and which are refused.

-- seed line 160
DELETE FROM workflow_executions 
WHERE created_at < NOW() - INTERVAL '30 days';

-- seed line 166
VACUUM ANALYZE;

-- seed line 171
REINDEX DATABASE workflow_engine;

-- seed line 178
SELECT status, COUNT(*) 
FROM workflow_executions 
WHERE status IN ('NEW', 'RUNNING', 'WAITING')
GROUP BY status;

-- seed line 186
SELECT 
    AVG(end_time - start_time) as avg_duration,
    COUNT(*) as total_executions
FROM workflow_executions 
WHERE status = 'SUCCESS' 
AND start_time IS NOT NULL 
AND end_time IS NOT NULL;

-- seed line 197
SELECT 
    schemaname,
    tablename,
    pg_size_pretty(pg_total_relation_size(schemaname||'.'||tablename)) as size
FROM pg_tables 
WHERE schemaname = 'public'
ORDER BY pg_total_relation_size(schemaname||'.'||tablename) DESC;
