-- Workflow runs and their node executions: write-heavy, filtered by status and time.
CREATE TABLE workflow_runs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id UUID NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    trigger_data JSONB,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    created_by UUID,
    CONSTRAINT workflow_runs_status_check
        CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT workflow_runs_completed_after_start CHECK (completed_at IS NULL OR completed_at >= started_at)
);

CREATE INDEX idx_workflow_runs_status_time ON workflow_runs (status, started_at DESC)
    WHERE status IN ('running', 'failed', 'pending');

CREATE INDEX idx_workflow_runs_workflow_status ON workflow_runs (workflow_id, status)
    INCLUDE (started_at, completed_at);

-- The seed's dashboard index filtered on NOW(), which PostgreSQL refuses in an index
-- predicate (it must be immutable); the unfinished-runs predicate serves the same page.
CREATE INDEX idx_workflow_runs_dashboard ON workflow_runs (created_by, status, started_at DESC)
    WHERE completed_at IS NULL;

ALTER TABLE form_responses
    ADD CONSTRAINT form_responses_workflow_run_id_fkey
    FOREIGN KEY (workflow_run_id) REFERENCES workflow_runs(id) ON DELETE SET NULL;

CREATE TABLE node_executions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_run_id UUID NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
    node_id VARCHAR(255) NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    input JSONB,
    output JSONB,
    error TEXT,
    started_at TIMESTAMP,
    completed_at TIMESTAMP
);

CREATE INDEX idx_node_executions_composite ON node_executions (workflow_run_id, node_id, status)
    INCLUDE (started_at, completed_at, error);
