-- The ConcertMaster workflow engine as it runs today (seed 002, "Current Database Schema Analysis").
-- `make demo` loads this into a fresh database, then plans and applies `desired/`.

CREATE TABLE workflows (
    id UUID PRIMARY KEY,
    name VARCHAR(255),
    definition JSONB,
    created_by UUID,
    created_at TIMESTAMP,
    updated_at TIMESTAMP,
    is_template BOOLEAN DEFAULT FALSE
);

CREATE TABLE form_schemas (
    id UUID PRIMARY KEY,
    name VARCHAR(255),
    version INTEGER,
    fields JSONB
);

CREATE TABLE workflow_runs (
    id UUID PRIMARY KEY,
    workflow_id UUID REFERENCES workflows(id),
    status VARCHAR(50),
    trigger_data JSONB,
    started_at TIMESTAMP,
    completed_at TIMESTAMP
);

CREATE TABLE form_responses (
    id UUID PRIMARY KEY,
    form_schema_id UUID REFERENCES form_schemas(id),
    workflow_run_id UUID,
    data JSONB,
    metadata JSONB,
    submitted_at TIMESTAMP
);
