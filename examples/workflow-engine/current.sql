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

-- The n8n workflow extraction (seed 000) as it runs today: partitioned for 2024 only, `name` not yet
-- renamed to `title`, snapshots of layer 2 only, none of the seed's indexes, checks, trigger or views.
CREATE SCHEMA extraction;

CREATE TABLE extraction.workflows (
    workflow_id text NOT NULL,
    name text NOT NULL,
    url text NOT NULL,
    description text,
    metadata jsonb,
    unified_extraction_success boolean NOT NULL DEFAULT false,
    layer2_scraped boolean NOT NULL DEFAULT false,
    layer3_scraped boolean NOT NULL DEFAULT false,
    unified_extraction_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflows_pkey PRIMARY KEY (workflow_id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE extraction.workflows_2024 PARTITION OF extraction.workflows
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE extraction.workflow_extraction_snapshots (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    workflow_id text NOT NULL,
    layer text NOT NULL,
    payload jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, layer)
) PARTITION BY LIST (layer);

CREATE TABLE extraction.extraction_snapshots_l2 PARTITION OF extraction.workflow_extraction_snapshots
    FOR VALUES IN ('L2', 'L2V2');
