-- Workflows, executions and their stages (seed 003, tables 2-4).
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Workflows table for workflow definitions
CREATE TABLE workflows (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    name VARCHAR(200) NOT NULL,
    description TEXT,
    status VARCHAR(20) DEFAULT 'inactive' CHECK (status IN ('active', 'inactive', 'archived')),
    
    -- Configuration
    configuration JSONB NOT NULL DEFAULT '{}',
    schedule_cron VARCHAR(100),
    timeout_minutes INTEGER DEFAULT 60,
    max_retries INTEGER DEFAULT 3,
    
    -- Metadata
    category VARCHAR(50),
    tags TEXT[],
    version INTEGER DEFAULT 1,
    is_template BOOLEAN DEFAULT false,
    template_name VARCHAR(100),
    
    -- Relationships
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    parent_workflow_id INTEGER REFERENCES workflows(id) ON DELETE SET NULL,
    
    -- Statistics (denormalized for performance)
    total_executions INTEGER DEFAULT 0,
    successful_executions INTEGER DEFAULT 0,
    failed_executions INTEGER DEFAULT 0,
    last_execution_at TIMESTAMP,
    average_duration_minutes DECIMAL(10,2),
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    archived_at TIMESTAMP
);

-- Indexes for workflows table
CREATE INDEX idx_workflows_status_updated ON workflows(status, updated_at DESC);

CREATE INDEX idx_workflows_name_trgm ON workflows USING gin(name gin_trgm_ops);

CREATE INDEX idx_workflows_created_by ON workflows(created_by) WHERE created_by IS NOT NULL;

CREATE INDEX idx_workflows_category ON workflows(category) WHERE category IS NOT NULL;

CREATE INDEX idx_workflows_tags ON workflows USING gin(tags);

CREATE INDEX idx_workflows_template ON workflows(is_template, template_name) WHERE is_template = true;

CREATE INDEX idx_workflows_parent ON workflows(parent_workflow_id) WHERE parent_workflow_id IS NOT NULL;

CREATE INDEX idx_workflows_schedule ON workflows(schedule_cron, status) WHERE schedule_cron IS NOT NULL;

CREATE INDEX idx_workflows_last_execution ON workflows(last_execution_at DESC) WHERE last_execution_at IS NOT NULL;

-- Trigger for updated_at
CREATE TRIGGER update_workflows_updated_at BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Workflow executions table for execution history
CREATE TABLE workflow_executions (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    workflow_id INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    
    -- Execution details
    run_number INTEGER NOT NULL,
    status VARCHAR(20) DEFAULT 'Created' CHECK (status IN ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled', 'Timeout')),
    priority INTEGER DEFAULT 0,
    
    -- Timing
    scheduled_at TIMESTAMP,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    duration_minutes DECIMAL(10,2),
    
    -- Progress tracking
    current_stage VARCHAR(50),
    current_stage_order INTEGER DEFAULT 0,
    total_stages INTEGER DEFAULT 0,
    stages_completed INTEGER DEFAULT 0,
    progress_percentage DECIMAL(5,2) DEFAULT 0.00,
    
    -- Resources and performance
    memory_usage_mb INTEGER,
    cpu_usage_percentage DECIMAL(5,2),
    content_processed INTEGER DEFAULT 0,
    bytes_processed BIGINT DEFAULT 0,
    
    -- Error handling
    error_message TEXT,
    error_code VARCHAR(50),
    error_stack TEXT,
    retry_count INTEGER DEFAULT 0,
    
    -- Metadata
    triggered_by VARCHAR(50) DEFAULT 'manual', -- manual, schedule, api, webhook
    trigger_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    environment_info JSONB,
    execution_context JSONB,
    
    -- Relationships
    parent_execution_id INTEGER REFERENCES workflow_executions(id) ON DELETE SET NULL,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for workflow_executions table
CREATE INDEX idx_executions_workflow_started ON workflow_executions(workflow_id, started_at DESC);

CREATE INDEX idx_executions_status_created ON workflow_executions(status, created_at DESC);

CREATE INDEX idx_executions_run_number ON workflow_executions(workflow_id, run_number DESC);

CREATE INDEX idx_executions_scheduled ON workflow_executions(scheduled_at) WHERE scheduled_at IS NOT NULL;

CREATE INDEX idx_executions_duration ON workflow_executions(duration_minutes) WHERE duration_minutes IS NOT NULL;

CREATE INDEX idx_executions_triggered_by ON workflow_executions(triggered_by, trigger_user_id);

CREATE INDEX idx_executions_parent ON workflow_executions(parent_execution_id) WHERE parent_execution_id IS NOT NULL;

CREATE INDEX idx_executions_error ON workflow_executions(status, error_code) WHERE status = 'Failed';

CREATE UNIQUE INDEX idx_executions_workflow_run_number ON workflow_executions(workflow_id, run_number);

-- Partial indexes for active executions
CREATE INDEX idx_active_executions ON workflow_executions(workflow_id, started_at DESC) 
    WHERE status IN ('Created', 'InProgress');

-- Trigger for updated_at
CREATE TRIGGER update_workflow_executions_updated_at BEFORE UPDATE ON workflow_executions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Execution stages table for granular stage tracking
CREATE TABLE execution_stages (
    id SERIAL PRIMARY KEY,
    execution_id INTEGER NOT NULL REFERENCES workflow_executions(id) ON DELETE CASCADE,
    
    -- Stage identification
    stage_name VARCHAR(100) NOT NULL,
    stage_type VARCHAR(50) NOT NULL, -- fetching, processing, normalization, refinement, calculation
    stage_order INTEGER NOT NULL,
    
    -- Status and timing
    status VARCHAR(20) DEFAULT 'Created' CHECK (status IN ('Created', 'InProgress', 'Success', 'Failed', 'Skipped')),
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    duration_seconds INTEGER,
    
    -- Progress and metrics
    items_to_process INTEGER DEFAULT 0,
    items_processed INTEGER DEFAULT 0,
    items_successful INTEGER DEFAULT 0,
    items_failed INTEGER DEFAULT 0,
    progress_percentage DECIMAL(5,2) DEFAULT 0.00,
    
    -- Performance metrics
    throughput_per_second DECIMAL(10,2),
    memory_usage_mb INTEGER,
    cpu_usage_percentage DECIMAL(5,2),
    
    -- Stage-specific data
    stage_configuration JSONB,
    stage_output JSONB,
    stage_metadata JSONB,
    
    -- Error handling
    error_message TEXT,
    error_details JSONB,
    retry_count INTEGER DEFAULT 0,
    
    -- Relationships
    depends_on_stage_id INTEGER REFERENCES execution_stages(id) ON DELETE SET NULL,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for execution_stages table
CREATE INDEX idx_stages_execution_order ON execution_stages(execution_id, stage_order);

CREATE INDEX idx_stages_status_timing ON execution_stages(status, started_at DESC);

CREATE INDEX idx_stages_type_status ON execution_stages(stage_type, status);

CREATE INDEX idx_stages_duration ON execution_stages(duration_seconds DESC) WHERE duration_seconds IS NOT NULL;

CREATE INDEX idx_stages_dependency ON execution_stages(depends_on_stage_id) WHERE depends_on_stage_id IS NOT NULL;

CREATE UNIQUE INDEX idx_stages_execution_order_unique ON execution_stages(execution_id, stage_order);

-- Trigger for updated_at
CREATE TRIGGER update_execution_stages_updated_at BEFORE UPDATE ON execution_stages
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
