-- Form schemas and responses: the highest-volume table (seed 002, phase 1 and 2).
CREATE TABLE form_schemas (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    fields JSONB,
    CONSTRAINT form_schemas_name_version_key UNIQUE (name, version)
);

CREATE INDEX idx_form_schemas_name_version ON form_schemas (name, version DESC);

CREATE TABLE form_responses (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    form_schema_id UUID REFERENCES form_schemas(id),
    workflow_run_id UUID,
    data JSONB,
    metadata JSONB,
    submitted_at TIMESTAMP DEFAULT now()
);

CREATE INDEX idx_form_responses_schema_time ON form_responses (form_schema_id, submitted_at DESC);

CREATE INDEX idx_form_responses_workflow ON form_responses (workflow_run_id)
    WHERE workflow_run_id IS NOT NULL;

CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data);

CREATE INDEX idx_form_responses_metadata ON form_responses USING gin (metadata jsonb_path_ops)
    WHERE metadata IS NOT NULL;
