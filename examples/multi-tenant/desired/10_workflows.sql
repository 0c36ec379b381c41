CREATE TABLE workflows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    n8n_workflow_id text NOT NULL,
    name text NOT NULL,
    description text,
    category text,
    tags text[] NOT NULL DEFAULT '{}',
    is_active boolean NOT NULL DEFAULT true,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, n8n_workflow_id)
);
CREATE INDEX workflows_tenant_category ON workflows (tenant_id, category) WHERE is_active;
CREATE INDEX workflows_tags ON workflows USING gin (tags);

CREATE TABLE workflow_executions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('running', 'success', 'error', 'waiting')),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    duration_ms integer GENERATED ALWAYS AS ((extract(epoch FROM finished_at - started_at) * 1000)::integer) STORED,
    error_message text,
    payload jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workflow_executions_tenant_started ON workflow_executions (tenant_id, started_at DESC);
CREATE INDEX workflow_executions_errors ON workflow_executions (workflow_id, started_at DESC) WHERE status = 'error';

CREATE TABLE knowledge_bases (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name text NOT NULL,
    source_type text NOT NULL CHECK (source_type IN ('upload', 'url', 'notion', 'gdrive')),
    source_uri text,
    document_count integer NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'ready',
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_preferences (
    user_id uuid NOT NULL,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    preferences jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tenant_id)
);

CREATE TABLE webchat_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    visitor_id text NOT NULL,
    messages jsonb NOT NULL DEFAULT '[]',
    started_at timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz,
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webchat_sessions_open ON webchat_sessions (tenant_id, last_message_at DESC) WHERE closed_at IS NULL;
