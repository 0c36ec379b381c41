-- Statistics and cleanup functions (seed 003, "Database Functions and Stored Procedures").
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Function to calculate comprehensive workflow statistics
CREATE OR REPLACE FUNCTION get_workflow_statistics(
    p_workflow_id INTEGER,
    p_date_from DATE DEFAULT NULL,
    p_date_to DATE DEFAULT NULL
) RETURNS TABLE (
    total_executions INTEGER,
    successful_executions INTEGER,
    failed_executions INTEGER,
    success_rate DECIMAL(5,2),
    avg_duration_minutes DECIMAL(10,2),
    median_duration_minutes DECIMAL(10,2),
    total_content_processed BIGINT,
    avg_content_per_execution DECIMAL(10,2),
    last_execution_date TIMESTAMP,
    trend_direction VARCHAR(10)
) LANGUAGE plpgsql AS $$
DECLARE
    date_filter_start DATE := COALESCE(p_date_from, CURRENT_DATE - INTERVAL '30 days');
    date_filter_end DATE := COALESCE(p_date_to, CURRENT_DATE);
    prev_period_start DATE := date_filter_start - (date_filter_end - date_filter_start);
    prev_success_rate DECIMAL(5,2);
    current_success_rate DECIMAL(5,2);
BEGIN
    -- Current period statistics
    SELECT 
        COUNT(*)::INTEGER,
        COUNT(CASE WHEN we.status = 'Success' THEN 1 END)::INTEGER,
        COUNT(CASE WHEN we.status = 'Failed' THEN 1 END)::INTEGER,
        ROUND((COUNT(CASE WHEN we.status = 'Success' THEN 1 END)::DECIMAL / 
               NULLIF(COUNT(*), 0) * 100), 2),
        ROUND(AVG(we.duration_minutes), 2),
        ROUND(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY we.duration_minutes), 2),
        COALESCE(SUM(we.content_processed), 0),
        ROUND(AVG(we.content_processed), 2),
        MAX(we.started_at)
    INTO 
        total_executions,
        successful_executions,
        failed_executions,
        current_success_rate,
        avg_duration_minutes,
        median_duration_minutes,
        total_content_processed,
        avg_content_per_execution,
        last_execution_date
    FROM workflow_executions we
    WHERE we.workflow_id = p_workflow_id
        AND DATE(we.started_at) BETWEEN date_filter_start AND date_filter_end;

    success_rate := current_success_rate;

    -- Previous period success rate for trend analysis
    SELECT 
        ROUND((COUNT(CASE WHEN we.status = 'Success' THEN 1 END)::DECIMAL / 
               NULLIF(COUNT(*), 0) * 100), 2)
    INTO prev_success_rate
    FROM workflow_executions we
    WHERE we.workflow_id = p_workflow_id
        AND DATE(we.started_at) BETWEEN prev_period_start AND date_filter_start - 1;

    -- Determine trend direction
    trend_direction := CASE 
        WHEN prev_success_rate IS NULL THEN 'unknown'
        WHEN current_success_rate > prev_success_rate THEN 'improving'
        WHEN current_success_rate < prev_success_rate THEN 'declining'
        ELSE 'stable'
    END;

    RETURN NEXT;
END;
$$;

-- Procedure for automated data cleanup and archival
CREATE OR REPLACE FUNCTION cleanup_old_data() RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    cleanup_count INTEGER := 0;
    retention_days INTEGER;
    cutoff_date TIMESTAMP;
BEGIN
    -- Get retention period from system settings
    SELECT setting_value::INTEGER 
    INTO retention_days
    FROM system_settings 
    WHERE setting_key = 'retention_period_days';
    
    -- Default to 90 days if not set
    retention_days := COALESCE(retention_days, 90);
    cutoff_date := CURRENT_TIMESTAMP - (retention_days || ' days')::INTERVAL;
    
    -- Archive old workflow executions
    UPDATE workflow_executions 
    SET archived_at = CURRENT_TIMESTAMP
    WHERE completed_at < cutoff_date
        AND archived_at IS NULL;
    
    GET DIAGNOSTICS cleanup_count = ROW_COUNT;
    
    -- Archive old fetched contents
    UPDATE fetched_contents 
    SET archived_at = CURRENT_TIMESTAMP
    WHERE created_at < cutoff_date
        AND archived_at IS NULL
        AND status IN ('processed', 'failed');
    
    -- Clean up expired sessions
    DELETE FROM application_sessions
    WHERE expires_at < CURRENT_TIMESTAMP
        OR (is_active = false AND invalidated_at < CURRENT_TIMESTAMP - INTERVAL '7 days');
    
    -- Clean up old audit logs (based on retention period)
    DELETE FROM audit_logs
    WHERE timestamp < CURRENT_TIMESTAMP - 
          COALESCE((SELECT MAX(retention_period_days) FROM audit_logs), 2555) * INTERVAL '1 day';
    
    RETURN cleanup_count;
END;
$$;
