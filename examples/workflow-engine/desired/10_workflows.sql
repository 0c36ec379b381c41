-- Workflow definitions: read-heavy, filtered on JSONB keys (seed 002, phase 1).
CREATE TABLE workflows (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    definition JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_by UUID,
    created_at TIMESTAMP DEFAULT now(),
    updated_at TIMESTAMP DEFAULT now(),
    is_template BOOLEAN DEFAULT FALSE,
    CONSTRAINT workflows_definition_is_object CHECK (jsonb_typeof(definition) = 'object')
);

CREATE INDEX idx_workflow_type ON workflows ((definition->>'type'));

CREATE INDEX idx_workflow_status_filter ON workflows ((definition->>'status'))
    WHERE definition->>'status' IS NOT NULL;

CREATE INDEX idx_workflows_name_trgm ON workflows USING gin (name gin_trgm_ops);
