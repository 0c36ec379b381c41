-- Reports and their executions (seed 003, tables 8-9).
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Flux reports table for report definitions
CREATE TABLE flux_reports (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    
    -- Report identification
    report_name VARCHAR(200) NOT NULL,
    report_description TEXT,
    report_type VARCHAR(50) NOT NULL, -- summary, detailed, custom, scheduled
    category VARCHAR(100),
    
    -- Configuration
    report_config JSONB NOT NULL DEFAULT '{}',
    data_sources JSONB, -- Array of data source configurations
    filters JSONB, -- Default filters
    grouping JSONB, -- Grouping and aggregation rules
    sorting JSONB, -- Default sorting
    
    -- Schedule configuration
    is_scheduled BOOLEAN DEFAULT false,
    schedule_cron VARCHAR(100),
    schedule_timezone VARCHAR(50) DEFAULT 'UTC',
    next_run_at TIMESTAMP,
    
    -- Output configuration
    output_formats TEXT[] DEFAULT ARRAY['html'], -- html, pdf, csv, xlsx, json
    email_recipients TEXT[],
    webhook_url TEXT,
    
    -- Access control
    created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    shared_with_users INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    is_public BOOLEAN DEFAULT false,
    
    -- Status
    status VARCHAR(20) DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived')),
    
    -- Statistics
    run_count INTEGER DEFAULT 0,
    last_run_at TIMESTAMP,
    last_run_status VARCHAR(20),
    average_generation_time_seconds INTEGER,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    archived_at TIMESTAMP
);

-- Indexes for flux_reports table
CREATE INDEX idx_reports_name_search ON flux_reports USING gin(report_name gin_trgm_ops);

CREATE INDEX idx_reports_category_status ON flux_reports(category, status);

CREATE INDEX idx_reports_created_by ON flux_reports(created_by, created_at DESC);

CREATE INDEX idx_reports_scheduled ON flux_reports(is_scheduled, next_run_at) WHERE is_scheduled = true;

CREATE INDEX idx_reports_public ON flux_reports(is_public, status) WHERE is_public = true;

CREATE INDEX idx_reports_type ON flux_reports(report_type, status);

CREATE INDEX idx_reports_last_run ON flux_reports(last_run_at DESC) WHERE last_run_at IS NOT NULL;

-- Trigger for updated_at
CREATE TRIGGER update_flux_reports_updated_at BEFORE UPDATE ON flux_reports
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Report executions table for report generation history
CREATE TABLE report_executions (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    
    -- Report identification
    report_id INTEGER NOT NULL REFERENCES flux_reports(id) ON DELETE CASCADE,
    execution_name VARCHAR(200),
    
    -- Execution details
    status VARCHAR(20) DEFAULT 'Created' CHECK (status IN ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled')),
    triggered_by VARCHAR(50) DEFAULT 'manual', -- manual, schedule, api
    trigger_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    
    -- Timing
    started_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP,
    generation_time_seconds INTEGER,
    
    -- Configuration used
    report_config JSONB, -- Snapshot of config at execution time
    filters_applied JSONB,
    date_range JSONB,
    
    -- Results
    output_format VARCHAR(20),
    output_file_path TEXT,
    output_file_size_bytes BIGINT,
    output_url TEXT,
    
    -- Data metrics
    records_processed INTEGER DEFAULT 0,
    data_points_included INTEGER DEFAULT 0,
    charts_generated INTEGER DEFAULT 0,
    
    -- Performance metrics
    query_time_seconds DECIMAL(10,2),
    render_time_seconds DECIMAL(10,2),
    memory_usage_mb INTEGER,
    
    -- Error handling
    error_message TEXT,
    error_details JSONB,
    warnings JSONB,
    
    -- Delivery
    email_sent_at TIMESTAMP,
    email_recipients TEXT[],
    webhook_called_at TIMESTAMP,
    webhook_response_code INTEGER,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for report_executions table
CREATE INDEX idx_report_executions_report_started ON report_executions(report_id, started_at DESC);

CREATE INDEX idx_report_executions_status_created ON report_executions(status, created_at DESC);

CREATE INDEX idx_report_executions_trigger ON report_executions(triggered_by, trigger_user_id);

CREATE INDEX idx_report_executions_performance ON report_executions(generation_time_seconds DESC);

CREATE INDEX idx_report_executions_size ON report_executions(output_file_size_bytes DESC) WHERE output_file_size_bytes IS NOT NULL;

-- Trigger for updated_at
CREATE TRIGGER update_report_executions_updated_at BEFORE UPDATE ON report_executions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
